namespace Tributary.Components.Fraud;

/// <summary>
/// The transactions seen so far, indexed by card, email, profile and IP in time order, from which the features of
/// <c>features.transactions</c> are computed for one transaction as of its own time: from the transactions strictly
/// before it only, as the batch query does, so a transaction scores the same whether later ones are known or not (a
/// replay of known transactions gives the batch features). Not thread-safe: the caller serializes access.
/// </summary>
public sealed class TransactionHistory
{
    private readonly Dictionary<string, List<TransactionEvent>>[] _byKey = [.. TransactionFeatures.Keys.Select(_ => new Dictionary<string, List<TransactionEvent>>(StringComparer.Ordinal))];
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    // Reused by every feature computation (the caller serializes them): no set allocated per transaction.
    private readonly HashSet<string> _distinct = new(StringComparer.Ordinal);
    // When each customer, and each customer with a card of each country, first paid; and those times sorted, to count
    // the customers before an instant (the batch's first rows per customer and per customer and card country).
    private readonly Dictionary<string, double> _profileFirst = new(StringComparer.Ordinal);
    private readonly List<double> _profileFirsts = [];
    private readonly Dictionary<(string Country, string Profile), double> _countryProfileFirst = [];
    private readonly Dictionary<string, List<double>> _countryFirsts = new(StringComparer.Ordinal);
    private readonly int _nightStart;
    private readonly int _nightEnd;

    /// <summary>A history with the night hours of the features step.</summary>
    public TransactionHistory(TransactionFeaturesParameters parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        (_nightStart, _nightEnd) = (parameters.NightStartHour, parameters.NightEndHour);
    }

    /// <summary>Transactions held.</summary>
    public int Count => _ids.Count;

    /// <summary>Whether a transaction id has been added.</summary>
    public bool Contains(string id) => _ids.Contains(id);

    /// <summary>Adds a transaction unless its id is known already; says whether it was added.</summary>
    public bool Add(TransactionEvent t)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (!_ids.Add(t.Id)) return false;
        for (var k = 0; k < _byKey.Length; k++)
        {
            if (KeyOf(t, k) is not { } key) continue;
            if (!_byKey[k].TryGetValue(key, out var list)) _byKey[k][key] = list = [];
            // Usually the newest: appended; an older one goes to its place after those at the same instant.
            var at = list.Count == 0 || list[^1].Epoch <= t.Epoch ? list.Count : Before(list, t.Epoch, inclusive: true);
            list.Insert(at, t);
        }
        if (t.Profile is { } profile)
        {
            Earliest(_profileFirst, profile, t.Epoch, _profileFirsts);
            if (t.CardCountryKey is { } country)
            {
                if (!_countryFirsts.TryGetValue(country, out var firsts)) _countryFirsts[country] = firsts = [];
                Earliest(_countryProfileFirst, (country, profile), t.Epoch, firsts);
            }
        }
        return true;
    }

    // Keeps the earliest time per key, and the sorted times in step with it.
    private static void Earliest<TKey>(Dictionary<TKey, double> first, TKey key, double epoch, List<double> sorted) where TKey : notnull
    {
        if (first.TryGetValue(key, out var known))
        {
            if (known <= epoch) return;
            sorted.RemoveAt(CountBefore(sorted, known));
        }
        first[key] = epoch;
        var at = sorted.Count == 0 || sorted[^1] <= epoch ? sorted.Count : CountBefore(sorted, epoch);
        sorted.Insert(at, epoch);
    }

    // How many of the sorted times are before the epoch (also the index of the first one at or after it).
    private static int CountBefore(List<double> sorted, double epoch)
    {
        var (lo, hi) = (0, sorted.Count);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (sorted[mid] < epoch) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    private static string? KeyOf(TransactionEvent t, int key) => key switch { 0 => t.Card, 1 => t.Email, 2 => t.Profile, _ => t.Ip };

    // The index of the first entry at or after (inclusive: after) the epoch.
    private static int Before(List<TransactionEvent> list, double epoch, bool inclusive = false)
    {
        var (lo, hi) = (0, list.Count);
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (list[mid].Epoch < epoch || (inclusive && list[mid].Epoch == epoch)) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }

    /// <summary>Whether the transaction falls in the night hours (UTC).</summary>
    internal bool IsNight(TransactionEvent t) => t.At.UtcDateTime.Hour >= _nightStart && t.At.UtcDateTime.Hour < _nightEnd;

    /// <summary>The features of <paramref name="t"/> in the order of <see cref="TransactionFeatures.FeatureNames"/>, null for SQL NULL.</summary>
    public double?[] Features(TransactionEvent t)
    {
        var f = new double?[TransactionFeatures.FeatureNames.Length];
        Features(t, f);
        return f;
    }

    /// <summary>As <see cref="Features(TransactionEvent)"/>, into the first features of <paramref name="f"/> (a scorer's row, without a copy).</summary>
    internal void Features(TransactionEvent t, double?[] f)
    {
        ArgumentNullException.ThrowIfNull(t);
        var at = 0;
        var windows = TransactionFeatures.Windows;
        var declineAt = TransactionFeatures.Keys.Length * windows.Length * 2;
        for (var k = 0; k < _byKey.Length; k++)
        {
            var prior = KeyOf(t, k) is { } key && _byKey[k].TryGetValue(key, out var list) ? list : null;
            var end = prior is null ? 0 : Before(prior, t.Epoch);
            foreach (var (_, seconds) in windows)
            {
                var start = prior is null ? 0 : Before(prior, t.Epoch - seconds);
                double sum = 0;
                for (var i = start; i < end; i++) sum += prior![i].Amount;
                f[at++] = end - start;
                f[at++] = sum;
                if (seconds != windows[^1].Seconds) continue;
                var declined = 0;
                for (var i = start; i < end; i++) declined += prior![i].Declined ? 1 : 0;
                f[declineAt + k] = end > start ? (double)declined / (end - start) : null;
            }
        }
        at = declineAt + _byKey.Length;
        at = Distinct(t.Email, 1, e => e.Card, t, f, at);
        at = Distinct(t.Card, 0, e => e.Email, t, f, at);
        ProfileHistory(t, f, at);
        var store = TransactionFeatures.FeatureNames.Length - 2;
        f[store] = t.CardCountryKey is null ? null : _countryFirsts.TryGetValue(t.CardCountryKey, out var firsts) ? CountBefore(firsts, t.Epoch) : 0;
        f[store + 1] = CountBefore(_profileFirsts, t.Epoch);
    }

    // Distinct non-null values of the other key among the key's earlier transactions in each window.
    private int Distinct(string? key, int keyIndex, Func<TransactionEvent, string?> other, TransactionEvent t, double?[] f, int at)
    {
        var list = key is not null && _byKey[keyIndex].TryGetValue(key, out var l) ? l : null;
        var end = list is null ? 0 : Before(list, t.Epoch);
        var seen = _distinct;
        foreach (var (_, seconds) in TransactionFeatures.Windows)
        {
            seen.Clear();
            for (var i = list is null ? 0 : Before(list, t.Epoch - seconds); i < end; i++)
                if (other(list![i]) is { } value) seen.Add(value);
            f[at++] = seen.Count;
        }
        return at;
    }

    private void ProfileHistory(TransactionEvent t, double?[] f, int at)
    {
        var list = t.Profile is not null && _byKey[2].TryGetValue(t.Profile, out var l) ? l : null;
        var end = list is null ? 0 : Before(list, t.Epoch);
        double n = 0, s = 0, ss = 0, below = 0;
        int prior = 0, nightPrior = 0;
        bool cardSeen = false, countrySeen = false;
        for (var i = 0; i < end; i++)
        {
            var e = list![i];
            prior++;
            if (IsNight(e)) nightPrior++;
            if (t.Card is not null && e.Card == t.Card) cardSeen = true;
            if (t.CardCountryKey is not null && e.CardCountryKey == t.CardCountryKey) countrySeen = true;
            if (e.Declined) continue;
            n++;
            s += e.Amount;
            ss += e.Amount * e.Amount;
            below += e.Amount < t.Amount ? 1 : e.Amount == t.Amount ? 0.5 : 0;
        }
        var profile = t.Profile is not null;
        double? variance = n >= 2 ? (ss - s * s / n) / (n - 1) : null;
        f[at++] = n;
        f[at++] = n >= 2 && variance > 1e-9 * (1 + s * s / (n * n)) ? (t.Amount - s / n) / Math.Sqrt(variance.Value) : null;
        f[at++] = n >= 1 && s > 0 ? t.Amount / (s / n) : null;
        f[at++] = profile && n > 0 ? below / n : null;
        f[at++] = prior > 0 && t.Card is not null && !cardSeen ? 1 : 0;
        f[at++] = prior > 0 && t.CardCountryKey is not null && !countrySeen ? 1 : 0;
        f[at++] = t.CardCountryKey is not null && t.BillingCountryKey is not null && t.CardCountryKey != t.BillingCountryKey ? 1 : 0;
        var first = end > 0 ? Math.Min(list![0].Epoch, t.Epoch) : t.Epoch;
        f[at++] = profile ? (t.Epoch - first) / 86400.0 : 0;
        f[at++] = IsNight(t) ? 1 : 0;
        f[at] = prior > 0 ? (double)nightPrior / prior : null;
    }
}
