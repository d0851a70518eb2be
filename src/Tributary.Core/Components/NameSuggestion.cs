namespace Tributary.Core.Components;

/// <summary>"Did you mean" suggestions by edit distance (DuckDB's catalog error style).</summary>
public static class NameSuggestion
{
    /// <summary>The closest candidate within a third of the name's length, or null.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        // The distance costs length times length; names this long are not typos of a key.
        if (name.Length > MaxLength) return null;
        var limit = Math.Max(2, name.Length / 3);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            if (Math.Abs(c.Length - name.Length) > limit) continue; // the distance is at least the difference in length
            var d = Distance(name, c);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        return best is not null && bestDistance <= limit ? best : null;
    }

    private const int MaxLength = 100;

    /// <summary>" Did you mean 'x'?" or an empty string.</summary>
    public static string Format(string name, IEnumerable<string> candidates) =>
        Closest(name, candidates) is { } s ? $" Did you mean '{s}'?" : "";

    // Levenshtein distance with two rows.
    private static int Distance(string a, string b)
    {
        var prev = new int[b.Length + 1];
        var cur = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            for (var j = 1; j <= b.Length; j++)
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
            (prev, cur) = (cur, prev);
        }
        return prev[b.Length];
    }
}
