using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Attribution;

/// <summary>Parameters of <c>analytics.campaign_performance</c>.</summary>
public sealed record CampaignPerformanceParameters : IValidatableObject
{
    /// <summary>Which input plays which role.</summary>
    [Description("Input ids by role: spend (standardize.ad_spend) and attribution (analytics.attribution, whose daily and campaigns outputs it reads).")]
    public required IReadOnlyDictionary<string, string> Tables { get; init; }

    /// <summary>The attribution model whose credit counts as conversions and revenue.</summary>
    [Description("Attribution model whose credit counts (one the attribution step computed). Default shapley.")]
    public string Model { get; init; } = "shapley";

    /// <summary>Target return on ad spend.</summary>
    [Description("Target ROAS (attributed revenue / spend); rows are rated against it. Optional.")]
    [Range(0.0001, 1000)]
    public double? TargetRoas { get; init; }

    /// <summary>Target cost per acquisition.</summary>
    [Description("Target CPA (spend / attributed conversion); rows are rated against it. Optional.")]
    [Range(0.0001, 1_000_000)]
    public double? TargetCpa { get; init; }

    /// <summary>Gross margin for ROI.</summary>
    [Description("Gross margin on revenue for ROI = (revenue x margin - spend) / spend. Default 1 (ROI on revenue).")]
    [Range(0, 1)]
    public double Margin { get; init; } = 1;

    /// <summary>The currency of the attributed revenue.</summary>
    [Description("Currency of the attributed revenue, e.g. USD. Spend is compared with revenue as is, so it must be in the same currency: "
        + "when set, a spend table whose currency column names another is refused; spend in several currencies is refused either way. "
        + "Convert spend first with transform.currency. Optional.")]
    public string? Currency { get; init; }

    private static readonly string[] Roles = ["spend", "attribution"];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var role in Roles.Where(r => !Tables.ContainsKey(r)))
            yield return new ValidationResult($"tables needs {role}.", [nameof(Tables)]);
        if (!AttributionParameters.Known.Contains(Model))
            yield return new ValidationResult($"model: unknown model '{Model}'.{NameSuggestion.Format(Model, AttributionParameters.Known)}", [nameof(Model)]);
    }
}

/// <summary>
/// Campaign performance per day, channel and campaign: spend, impressions and clicks from the ad platforms against the
/// conversions and revenue an attribution model credits, with CTR, CPC, CPA, ROAS and ROI, each rated against the
/// targets (strong ≥ 120% of target, on_target ≥ 100%, near_target ≥ 80%, else below_target). Channels without
/// spend (organic, email) appear with their conversions. The whole period per campaign is in its <c>summary</c> output, written in the same transaction.
/// </summary>
public sealed class CampaignPerformance : IComponent<CampaignPerformanceParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.campaign_performance";
    /// <inheritdoc />
    public static string Description => "Spend, clicks, attributed conversions and revenue per campaign and day, with CTR, CPC, CPA, ROAS, ROI and ratings against targets.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.AtLeastOne;

    private static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("day", DataKind.Date), ("channel", DataKind.Text), ("campaign", DataKind.Text), ("spend", DataKind.Number), ("impressions", DataKind.Integer),
        ("clicks", DataKind.Integer), ("platform_conversions", DataKind.Number), ("conversions", DataKind.Number), ("revenue", DataKind.Number),
        ("ctr", DataKind.Number), ("cpc", DataKind.Number), ("cpa", DataKind.Number), ("roas", DataKind.Number), ("roi", DataKind.Number),
        ("roas_rating", DataKind.Text), ("cpa_rating", DataKind.Text),
    ];

    private static readonly string[] SpendColumns = ["day", "campaign", "spend", "impressions", "clicks", "conversions"];

    /// <inheritdoc />
    public ComponentPlan Plan(CampaignPerformanceParameters p, PlanContext context)
    {
        var requires = new List<ColumnRequirement>();
        foreach (var (role, table) in p.Tables)
        {
            var i = context.Inputs.ToList().FindIndex(x => x.Id == table);
            if (i < 0) throw new PlanException($"tables.{role} names '{table}', which is not one of the inputs ({string.Join(", ", context.Inputs.Select(x => x.Id))}).");
            if (role == "spend") requires.AddRange(SpendColumns.Select(c => new ColumnRequirement(i, c, [])));
        }
        return new ComponentPlan(new TableSchema(Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()), requires)
        {
            SideOutputs = [new(Summary, OutputRole.Diagnostics, "A campaign over its period: for a channel with spend, the days its ad spend covers (first to last day "
                + "with spend); credit on other days is in conversions_outside_spend and revenue_outside_spend. Totals and the same metrics and ratings.")],
        };
    }

    private const string Summary = "summary";

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(CampaignPerformanceParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var d = w.Dialect;
        var credit = d.Quote(context.InputOutput(p.Tables["attribution"], "daily"));
        var campaigns = d.Quote(context.InputOutput(p.Tables["attribution"], "campaigns"));
        var models = new List<string>();
        await foreach (var r in w.StreamAsync($"SELECT DISTINCT model FROM {credit} ORDER BY model", null, cancellationToken).ConfigureAwait(false))
            models.Add((string)r[0]!);
        if (!models.Contains(p.Model))
            throw new ArgumentException($"model '{p.Model}' is not among the models {p.Tables["attribution"]} computed ({string.Join(", ", models)}); add it to that step's models or pick one of these.");

        await RefuseMixedCurrenciesAsync(p, w, cancellationToken).ConfigureAwait(false);

        var q = new SqlBuilder(d);
        var model = q.Bind(p.Model);
        var metrics = Metrics(p, q);
        var sql = $"""
            WITH credit AS (
                SELECT day, channel, campaign, {q.ExactSum("conversions")} AS conversions, {q.ExactSum("value")} AS revenue
                FROM {credit} WHERE model = {model} GROUP BY 1, 2, 3),
            channel_of AS (
                SELECT campaign, min(channel) AS channel FROM {campaigns} WHERE campaign IS NOT NULL GROUP BY campaign),
            spend AS (
                SELECT s.day, coalesce(c.channel, 'unattributed') AS channel, s.campaign, {q.ExactSum("s.spend")} AS spend, sum(s.impressions) AS impressions,
                       sum(s.clicks) AS clicks, sum(s.conversions) AS platform_conversions
                FROM {d.Quote(p.Tables["spend"])} s LEFT JOIN channel_of c ON c.campaign = s.campaign GROUP BY 1, 2, 3),
            joined AS (
                SELECT coalesce(s.day, c.day) AS day, coalesce(s.channel, c.channel) AS channel, coalesce(s.campaign, c.campaign) AS campaign,
                       coalesce(s.spend, 0) AS spend, coalesce(s.impressions, 0) AS impressions, coalesce(s.clicks, 0) AS clicks,
                       coalesce(s.platform_conversions, 0) AS platform_conversions, coalesce(c.conversions, 0) AS conversions, coalesce(c.revenue, 0) AS revenue
                FROM spend s FULL OUTER JOIN credit c ON c.day = s.day AND c.channel = s.channel AND c.campaign IS NOT DISTINCT FROM s.campaign)
            SELECT day, channel, campaign, spend, impressions, clicks, platform_conversions, conversions, revenue, {metrics}
            FROM joined
            """;
        var summary = new SqlBuilder(d);
        var summaryMetrics = Metrics(p, summary);
        // Builds run in order before the one commit, so the summary reads the campaign-days just staged.
        var staged = "";
        var rows = (await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => { staged = b.QuotedName; return b.CreateAsSelectAsync(sql, q.Parameters, ct); }),
            // A channel with spend is summed over the days its ad report covers (first to last day with spend): credit on
            // other days has no spend beside it, and counting it would rate a campaign on revenue it was never charged for
            // (a two-day Meta export beside a year of orders read as ROAS 28 where the covered days gave 0.8). That credit
            // is kept apart in the *_outside_spend columns; channels without spend (organic, email) keep every day.
            new TableWrite(context.Output(Summary), TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync($"""
                WITH coverage AS (
                    SELECT channel, min(day) AS spend_from, max(day) AS spend_to FROM {staged} WHERE spend > 0 GROUP BY channel),
                days AS (
                    SELECT s.*, (c.channel IS NULL OR (s.day >= c.spend_from AND s.day <= c.spend_to)) AS covered
                    FROM {staged} s LEFT JOIN coverage c ON c.channel = s.channel),
                totals AS (
                    SELECT channel, campaign, min(day) FILTER (WHERE covered) AS first_day, max(day) FILTER (WHERE covered) AS last_day,
                           {summary.ExactSum("spend")} AS spend, sum(impressions) AS impressions, sum(clicks) AS clicks, sum(platform_conversions) AS platform_conversions,
                           coalesce({summary.ExactSum("conversions", "covered")}, 0) AS conversions, coalesce({summary.ExactSum("revenue", "covered")}, 0) AS revenue,
                           coalesce({summary.ExactSum("conversions", "NOT covered")}, 0) AS conversions_outside_spend,
                           coalesce({summary.ExactSum("revenue", "NOT covered")}, 0) AS revenue_outside_spend
                    FROM days GROUP BY channel, campaign)
                SELECT channel, campaign, first_day, last_day, spend, impressions, clicks, platform_conversions, conversions, revenue, {summaryMetrics},
                       conversions_outside_spend, revenue_outside_spend
                FROM totals
                """, summary.Parameters, ct)),
        ], cancellationToken).ConfigureAwait(false))[0];
        context.Log($"{rows:N0} campaign-days rated by {p.Model} credit");
        // Warnings are logged and shown beside the step by the engine.
        var outside = await OutsideSpendAsync(w, context.Output(Summary), cancellationToken).ConfigureAwait(false);
        return new Materialization(rows, new Dictionary<string, object?> { ["model"] = p.Model, ["summary_table"] = context.Output(Summary) }) { Warnings = outside };
    }

    // One line per channel whose credit falls partly outside the days its spend covers, for the log and the run page.
    private static async Task<List<string>> OutsideSpendAsync(IWarehouse w, string summaryTable, CancellationToken cancellationToken)
    {
        var d = w.Dialect;
        var lines = new List<string>();
        await foreach (var r in w.StreamAsync($"""
            SELECT channel, CAST(sum(conversions_outside_spend) AS DOUBLE PRECISION), CAST(sum(revenue_outside_spend) AS DOUBLE PRECISION),
                   CAST(min(first_day) AS VARCHAR), CAST(max(last_day) AS VARCHAR)
            FROM {d.Quote(summaryTable)} GROUP BY channel HAVING sum(spend) > 0 AND sum(conversions_outside_spend) > 0 ORDER BY channel
            """, null, cancellationToken).ConfigureAwait(false))
        {
            var (conversions, revenue) = (Convert.ToDouble(r[1], CultureInfo.InvariantCulture), Convert.ToDouble(r[2], CultureInfo.InvariantCulture));
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"{r[0]}: {conversions:N1} attributed conversions ({revenue:N2} revenue) fall on days its ad spend does not cover "
                + $"({r[3] ?? "none"} to {r[4] ?? "none"}); ROAS and CPA count the covered days only, the rest is in revenue_outside_spend. Load spend for those days to rate them."));
        }
        return lines;
    }

    // Spend in another currency than revenue, or in several, would make every sum, CPA and ROAS a mix of currencies.
    private static async Task RefuseMixedCurrenciesAsync(CampaignPerformanceParameters p, IWarehouse w, CancellationToken cancellationToken)
    {
        var spend = p.Tables["spend"];
        if ((await w.DescribeTableAsync(spend, cancellationToken).ConfigureAwait(false))?.Find("currency") is null) return;
        var currencies = new List<string>();
        await foreach (var r in w.StreamAsync($"SELECT DISTINCT coalesce(upper(trim({w.Dialect.Quote("currency")})), '(none)') FROM {w.Dialect.Quote(spend)} ORDER BY 1", null, cancellationToken).ConfigureAwait(false))
            currencies.Add((string)r[0]!);
        var revenue = p.Currency?.Trim().ToUpperInvariant();
        if (currencies.Count > 1 || (revenue is not null && currencies.Count == 1 && currencies[0] != revenue))
            throw new InvalidOperationException($"spend table '{spend}' holds spend in {string.Join(", ", currencies)}{(revenue is null ? "" : $" and revenue is in {revenue}")}: "
                + "its sums, CPA and ROAS would mix currencies. Convert the spend into the revenue's currency first with a transform.currency step "
                + "(the templates' priced_ad_spend) and name that step in tables.spend.");
    }

    // The ratio columns and ratings, binding margin and each target that is set (every bound value in a statement must
    // be used: DuckDB counts parameters by use, PostgreSQL cannot type an unused one).
    private static string Metrics(CampaignPerformanceParameters p, SqlBuilder q)
    {
        string Bind(double value) => q.Bind(value, DataKind.Number);
        static string Rating(string ratio) => $"""
            CASE WHEN ({ratio}) IS NULL THEN NULL WHEN ({ratio}) >= 1.2 THEN 'strong' WHEN ({ratio}) >= 1.0 THEN 'on_target'
                 WHEN ({ratio}) >= 0.8 THEN 'near_target' ELSE 'below_target' END
            """;
        var margin = Bind(p.Margin);
        var roasRating = p.TargetRoas is { } roas ? Rating($"revenue / nullif(spend, 0) / {Bind(roas)}") : "CAST(NULL AS VARCHAR)";
        // No conversions for real spend is the worst CPA there is.
        var cpaRating = p.TargetCpa is { } cpa
            ? $"CASE WHEN spend > 0 AND conversions <= 0 THEN 'below_target' ELSE {Rating($"{Bind(cpa)} / nullif(spend / nullif(conversions, 0), 0)")} END"
            : "CAST(NULL AS VARCHAR)";
        return $"""
            clicks / nullif(CAST(impressions AS DOUBLE PRECISION), 0) AS ctr, spend / nullif(CAST(clicks AS DOUBLE PRECISION), 0) AS cpc,
            CASE WHEN spend > 0 THEN spend / nullif(conversions, 0) END AS cpa, revenue / nullif(spend, 0) AS roas, (revenue * {margin} - spend) / nullif(spend, 0) AS roi,
            {roasRating} AS roas_rating, {cpaRating} AS cpa_rating
            """;
    }
}
