using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>Parameters of <c>features.transactions</c>.</summary>
public sealed record TransactionFeaturesParameters : IValidatableObject
{
    /// <summary>The transaction id column.</summary>
    [Description("Column holding the transaction id, one row per id. Default transaction_id.")]
    public string Id { get; init; } = "transaction_id";

    /// <summary>The time column.</summary>
    [Description("Column holding when the transaction happened (UTC timestamp). Default created_at.")]
    public string Time { get; init; } = "created_at";

    /// <summary>The amount column.</summary>
    [Description("Column holding the amount. Default amount.")]
    public string Amount { get; init; } = "amount";

    /// <summary>The status column.</summary>
    [Description("Column holding the transaction status; a row whose status equals declined_status (any case) counts as declined. Default status.")]
    public string Status { get; init; } = "status";

    /// <summary>The status of a declined transaction.</summary>
    [Description("Status value of a declined transaction. Default failed (Stripe).")]
    public string DeclinedStatus { get; init; } = "failed";

    /// <summary>The card fingerprint column.</summary>
    [Description("Column identifying the card (Stripe's card fingerprint). Default card_fingerprint.")]
    public string Card { get; init; } = "card_fingerprint";

    /// <summary>The email column.</summary>
    [Description("Column holding the payer's email. Default email.")]
    public string Email { get; init; } = "email";

    /// <summary>The profile column.</summary>
    [Description("Column identifying the customer (a profile id from identity resolution, or the payment platform's customer id). Default stripe_customer_id.")]
    public string Profile { get; init; } = "stripe_customer_id";

    /// <summary>The IP column, or empty for none.</summary>
    [Description("Column holding the payer's IP address; empty when the data has none (the ip_ features are then 0). Default ip_address.")]
    public string? Ip { get; init; } = "ip_address";

    /// <summary>The card's issuing country column.</summary>
    [Description("Column holding the card's issuing country. Default card_country.")]
    public string CardCountry { get; init; } = "card_country";

    /// <summary>The billing country column, or empty for none.</summary>
    [Description("Column holding the card's billing address country; empty when the data has none (country_mismatch is then 0). Default billing_country.")]
    public string? BillingCountry { get; init; } = "billing_country";

    /// <summary>First hour of the night.</summary>
    [Description("First hour (UTC, 0-23) counted as night-time. Default 0.")]
    [Range(0, 23)]
    public int NightStartHour { get; init; }

    /// <summary>Hour the night ends.</summary>
    [Description("Hour (UTC, 1-24) at which the night ends, exclusive. Default 6.")]
    [Range(1, 24)]
    public int NightEndHour { get; init; } = 6;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (NightEndHour <= NightStartHour)
            yield return new ValidationResult($"night_end_hour ({NightEndHour}) must be after night_start_hour ({NightStartHour}).", [nameof(NightEndHour)]);
        foreach (var (name, value) in Columns().Where(c => string.IsNullOrWhiteSpace(c.Value)))
            yield return new ValidationResult($"{name} must name a column.", [name]);
    }

    internal IEnumerable<(string Name, string? Value)> Columns() =>
        [("id", Id), ("time", Time), ("amount", Amount), ("status", Status), ("card", Card), ("email", Email), ("profile", Profile), ("card_country", CardCountry)];
}

/// <summary>
/// Per transaction, features for fraud detection computed from the transactions strictly before it only (a transaction
/// at the same instant does not count), so adding later rows never changes a transaction's features: counts and sums per
/// card, email, profile and IP over 10 minutes, 1 hour and 24 hours; distinct cards per email and emails per card; the
/// decline ratio over 24 hours; the amount against the profile's own earlier successful amounts (z-score, ratio to the
/// mean, percentile); first use of a card or card country for a profile; card country against billing country; days since
/// the profile was first seen; night-time; how many customers paid earlier with a card from this card's country, and
/// how many paid earlier at all (a card country hardly any customer uses). One set-based query of window functions
/// (RANGE frames on epoch seconds), the same on every engine.
/// </summary>
public sealed class TransactionFeatures : IComponent<TransactionFeaturesParameters>
{
    /// <inheritdoc />
    public static string TypeName => "features.transactions";
    /// <inheritdoc />
    public static string Description => "Per-transaction fraud features from earlier transactions only: velocity by card, email, profile and IP, declines, amount vs history, new card or country.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    internal static readonly (string Suffix, int Seconds)[] Windows = [("10m", 600), ("1h", 3600), ("24h", 86400)];
    internal static readonly string[] Keys = ["card", "email", "profile", "ip"];

    /// <summary>The identifying columns written before the features.</summary>
    internal static readonly (string Name, DataKind Kind)[] IdColumns =
    [
        ("transaction_id", DataKind.Text), ("created_at", DataKind.Timestamp), ("profile_id", DataKind.Text), ("card_fingerprint", DataKind.Text),
        ("email", DataKind.Text), ("ip_address", DataKind.Text), ("amount", DataKind.Number), ("declined", DataKind.Integer),
    ];

    /// <summary>The feature columns, all numbers, in order.</summary>
    internal static readonly string[] FeatureNames =
    [
        .. Keys.SelectMany(k => Windows.SelectMany(w => new[] { $"{k}_count_{w.Suffix}", $"{k}_amount_{w.Suffix}" })),
        .. Keys.Select(k => $"{k}_decline_ratio_24h"),
        .. Windows.Select(w => $"email_distinct_cards_{w.Suffix}"),
        .. Windows.Select(w => $"card_distinct_emails_{w.Suffix}"),
        "profile_prior_transactions", "amount_z", "amount_ratio", "amount_percentile", "new_card_for_profile", "new_country_for_profile",
        "country_mismatch", "profile_age_days", "is_night", "profile_night_share", "card_country_profiles", "prior_profiles",
    ];

    internal static TableSchema OutputSchema => Standardize.Schema.Of([.. IdColumns, .. FeatureNames.Select(f => (f, DataKind.Number))]);

    /// <inheritdoc />
    public ComponentPlan Plan(TransactionFeaturesParameters p, PlanContext context)
    {
        var needed = p.Columns().Select(c => c.Value!).Concat(new[] { p.Ip, p.BillingCountry }.OfType<string>().Where(c => c.Length > 0)).Distinct(StringComparer.Ordinal);
        return new(OutputSchema, needed.Select(c => new ColumnRequirement(0, c, [], "Name the input's columns with the parameters (id, time, amount, card, email, profile, ip, ...).")).ToList())
        {
            MainDescription = "One row per transaction: its ids, amount and the fraud features from the transactions before it.",
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(TransactionFeaturesParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var q = new SqlBuilder(context.Warehouse.Dialect);
        var sql = Sql(p, q, q.Quote(context.Inputs[0]));
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, q.Parameters, ct), cancellationToken).ConfigureAwait(false);
        context.Log($"{rows:N0} transactions with {FeatureNames.Length} features each");
        return Materialization.Of(rows);
    }

    internal static string Sql(TransactionFeaturesParameters p, SqlBuilder q, string input)
    {
        string Col(string? name) => string.IsNullOrEmpty(name) ? "CAST(NULL AS VARCHAR)" : $"CAST({q.Quote(name)} AS VARCHAR)";
        var time = q.Quote(p.Time);
        var night = $"CASE WHEN extract(hour FROM {time}) >= {q.Bind(p.NightStartHour, DataKind.Integer)} AND extract(hour FROM {time}) < {q.Bind(p.NightEndHour, DataKind.Integer)} THEN 1 ELSE 0 END";
        const string Num = "DOUBLE PRECISION";
        var select = new List<string>
        {
            "b.transaction_id", "b.created_at", "b.k_profile AS profile_id", "b.k_card AS card_fingerprint", "b.k_email AS email", "b.k_ip AS ip_address",
            "b.amount", "b.declined",
        };
        // Earlier rows within a frame: the RANGE frame up to the current row, less the rows at the same instant (the current one included).
        string Prior(string aggregate, string key, string frame) =>
            $"CASE WHEN b.k_{key} IS NULL THEN 0 ELSE {aggregate} OVER (PARTITION BY b.k_{key} ORDER BY b.ep RANGE BETWEEN {frame} AND CURRENT ROW) - {aggregate} OVER (PARTITION BY b.k_{key}, b.ep) END";
        foreach (var k in Keys)
        {
            foreach (var (suffix, seconds) in Windows)
            {
                var frame = $"{seconds.ToString(CultureInfo.InvariantCulture)} PRECEDING";
                select.Add($"CAST({Prior("count(*)", k, frame)} AS {Num}) AS {k}_count_{suffix}");
                select.Add($"CAST({Prior("sum(b.amount)", k, frame)} AS {Num}) AS {k}_amount_{suffix}");
            }
            select.Add($"CAST(CAST({Prior("sum(b.declined)", k, "86400 PRECEDING")} AS {Num}) / nullif({Prior("count(*)", k, "86400 PRECEDING")}, 0) AS {Num}) AS {k}_decline_ratio_24h");
        }
        foreach (var (suffix, _) in Windows) select.Add($"CAST(coalesce(ec.cards_{suffix}, 0) AS {Num}) AS email_distinct_cards_{suffix}");
        foreach (var (suffix, _) in Windows) select.Add($"CAST(coalesce(ce.emails_{suffix}, 0) AS {Num}) AS card_distinct_emails_{suffix}");
        select.Add($"CAST(b.history_n AS {Num}) AS profile_prior_transactions");
        // Equal earlier amounts have no spread (rounding leaves a hair of variance): no z then.
        select.Add($"CASE WHEN b.history_n >= 2 AND b.history_var > 1e-9 * (1 + b.history_s * b.history_s / (b.history_n * b.history_n)) THEN CAST((b.amount - b.history_s / b.history_n) / sqrt(b.history_var) AS {Num}) END AS amount_z");
        select.Add($"CASE WHEN b.history_n >= 1 AND b.history_s > 0 THEN CAST(b.amount / (b.history_s / b.history_n) AS {Num}) END AS amount_ratio");
        select.Add($"CAST(pct.percentile AS {Num}) AS amount_percentile");
        select.Add($"CAST(CASE WHEN b.profile_prior > 0 AND b.k_card IS NOT NULL AND b.card_first = b.ep THEN 1 ELSE 0 END AS {Num}) AS new_card_for_profile");
        select.Add($"CAST(CASE WHEN b.profile_prior > 0 AND b.card_country IS NOT NULL AND b.country_first = b.ep THEN 1 ELSE 0 END AS {Num}) AS new_country_for_profile");
        select.Add($"CAST(CASE WHEN b.card_country IS NOT NULL AND b.billing_country IS NOT NULL AND b.card_country <> b.billing_country THEN 1 ELSE 0 END AS {Num}) AS country_mismatch");
        select.Add($"CAST(CASE WHEN b.k_profile IS NULL THEN 0 ELSE (b.ep - b.profile_first) / 86400.0 END AS {Num}) AS profile_age_days");
        select.Add($"CAST(b.night AS {Num}) AS is_night");
        select.Add($"CAST(CAST(b.profile_night_prior AS {Num}) / nullif(b.profile_prior, 0) AS {Num}) AS profile_night_share");
        // Customers, not payments: one tester's hundred attempts must not make their cards' country look usual.
        select.Add($"CASE WHEN b.card_country IS NOT NULL THEN CAST(b.country_profiles AS {Num}) END AS card_country_profiles");
        select.Add($"CAST(b.store_profiles AS {Num}) AS prior_profiles");

        // Successful earlier amounts of the profile: running count, sum and sum of squares, less the same instant.
        string History(string aggregate) => $"CASE WHEN k_profile IS NULL THEN 0 ELSE {aggregate} OVER (PARTITION BY k_profile ORDER BY ep RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - {aggregate} OVER (PARTITION BY k_profile, ep) END";
        string Distinct(string key, string other, string alias) => $"""
            SELECT t.transaction_id, {string.Join(", ", Windows.Select(w => $"count(DISTINCT CASE WHEN p.ep >= t.ep - {w.Seconds.ToString(CultureInfo.InvariantCulture)} THEN p.k_{other} END) AS {alias}_{w.Suffix}"))}
            FROM base t JOIN base p ON p.k_{key} = t.k_{key} AND p.ep < t.ep AND p.ep >= t.ep - 86400
            GROUP BY t.transaction_id
            """;
        // transaction_id is text (cast in base): ties at one instant broken in byte order on both engines.
        var byId = q.Dialect.ByteOrder("transaction_id");
        return $"""
            WITH base AS (
                SELECT CAST({q.Quote(p.Id)} AS VARCHAR) AS transaction_id, {time} AS created_at, CAST({q.Quote(p.Amount)} AS {Num}) AS amount,
                       CASE WHEN lower(CAST({q.Quote(p.Status)} AS VARCHAR)) = {q.Bind(p.DeclinedStatus.ToLowerInvariant(), DataKind.Text)} THEN 1 ELSE 0 END AS declined,
                       CAST(extract(epoch FROM {time}) AS {Num}) AS ep, {night} AS night,
                       {Col(p.Card)} AS k_card, {Col(p.Email)} AS k_email, {Col(p.Profile)} AS k_profile, {Col(p.Ip)} AS k_ip,
                       upper({Col(p.CardCountry)}) AS card_country, upper({Col(p.BillingCountry)}) AS billing_country
                FROM {input} WHERE {time} IS NOT NULL
            ),
            history AS (
                SELECT *,
                       {History("sum(1 - declined)")} AS history_n,
                       {History("sum(CASE WHEN declined = 0 THEN amount ELSE 0 END)")} AS history_s,
                       {History("sum(CASE WHEN declined = 0 THEN amount * amount ELSE 0 END)")} AS history_ss,
                       {History("count(*)")} AS profile_prior,
                       {History("sum(night)")} AS profile_night_prior,
                       min(ep) OVER (PARTITION BY k_profile) AS profile_first,
                       min(ep) OVER (PARTITION BY k_profile, k_card) AS card_first,
                       min(ep) OVER (PARTITION BY k_profile, card_country) AS country_first,
                       CASE WHEN k_profile IS NOT NULL AND card_country IS NOT NULL
                                 AND row_number() OVER (PARTITION BY k_profile, card_country ORDER BY ep, {byId}) = 1 THEN 1 ELSE 0 END AS country_profile_row,
                       CASE WHEN k_profile IS NOT NULL AND row_number() OVER (PARTITION BY k_profile ORDER BY ep, {byId}) = 1 THEN 1 ELSE 0 END AS profile_row
                FROM base
            ),
            b AS (
                SELECT *, CASE WHEN history_n >= 2 THEN (history_ss - history_s * history_s / history_n) / (history_n - 1) END AS history_var,
                       sum(country_profile_row) OVER (PARTITION BY card_country ORDER BY ep RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
                           - sum(country_profile_row) OVER (PARTITION BY card_country, ep) AS country_profiles,
                       sum(profile_row) OVER (ORDER BY ep RANGE BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) - sum(profile_row) OVER (PARTITION BY ep) AS store_profiles
                FROM history
            ),
            ec AS ({Distinct("email", "card", "cards")}),
            ce AS ({Distinct("card", "email", "emails")}),
            pct AS (
                SELECT t.transaction_id,
                       (sum(CASE WHEN p.amount < t.amount THEN 1.0 WHEN p.amount = t.amount THEN 0.5 ELSE 0 END)) / count(*) AS percentile
                FROM base t JOIN base p ON p.k_profile = t.k_profile AND p.ep < t.ep AND p.declined = 0
                GROUP BY t.transaction_id
            )
            SELECT {string.Join(",\n       ", select)}
            FROM b
            LEFT JOIN ec ON ec.transaction_id = b.transaction_id
            LEFT JOIN ce ON ce.transaction_id = b.transaction_id
            LEFT JOIN pct ON pct.transaction_id = b.transaction_id
            """;
    }
}
