using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Segments;

/// <summary>Parameters of <c>segment.value_tiers</c>.</summary>
public sealed record ValueTiersParameters : IValidatableObject
{
    /// <summary>Tier names, most valuable first.</summary>
    [Description("Tier names from most to least valuable. Default [platinum, gold, silver, bronze].")]
    public IReadOnlyList<string> Tiers { get; init; } = ["platinum", "gold", "silver", "bronze"];

    /// <summary>Percentile cut-offs between tiers.</summary>
    [Description("CLV percentiles (0-1) where each tier but the last begins, descending; one fewer than tiers. Default [0.99, 0.9, 0.5]: the top 1% is the first tier.")]
    [Range(0, 1)]
    public IReadOnlyList<double> Cutoffs { get; init; } = [0.99, 0.9, 0.5];

    /// <summary>Value column.</summary>
    [Description("Input column holding customer value. Default clv.")]
    public string ValueColumn { get; init; } = "clv";

    /// <summary>Customer id column.</summary>
    [Description("Input column holding the customer id. Default customer_id.")]
    public string CustomerColumn { get; init; } = "customer_id";

    /// <summary>Gross margin.</summary>
    [Description("Gross margin on revenue, used for the affordable acquisition cost. Default 0.3.")]
    [Range(0, 1)]
    public double Margin { get; init; } = 0.3;

    /// <summary>Target LTV:CAC ratio.</summary>
    [Description("Target ratio of lifetime value to acquisition cost; max_cac = clv x margin / ratio. Default 3.")]
    [Range(0.1, 100)]
    public double TargetLtvCac { get; init; } = 3;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Tiers.Count < 2) yield return new ValidationResult($"tiers needs at least 2 names, got {Tiers.Count}.", [nameof(Tiers)]);
        if (Cutoffs.Count != Tiers.Count - 1)
            yield return new ValidationResult($"cutoffs needs one value fewer than tiers ({Tiers.Count - 1}), got {Cutoffs.Count}.", [nameof(Cutoffs)]);
        for (var i = 1; i < Cutoffs.Count; i++)
            if (Cutoffs[i] >= Cutoffs[i - 1])
                yield return new ValidationResult($"cutoffs must descend (most valuable tier first), but {Cutoffs[i].ToString(CultureInfo.InvariantCulture)} follows {Cutoffs[i - 1].ToString(CultureInfo.InvariantCulture)}.", [nameof(Cutoffs)]);
        if (Tiers.Distinct(StringComparer.Ordinal).Count() != Tiers.Count) yield return new ValidationResult("tiers must have distinct names.", [nameof(Tiers)]);
    }
}

/// <summary>
/// Value tiers by CLV percentile, with the maximum affordable acquisition cost per customer
/// (clv × margin ÷ target LTV:CAC) and a per-tier summary in its <c>summary</c> output, in one transaction.
/// </summary>
public sealed class ValueTiers : IComponent<ValueTiersParameters>
{
    /// <inheritdoc />
    public static string TypeName => "segment.value_tiers";
    /// <inheritdoc />
    public static string Description => "Assign value tiers by CLV percentile and the affordable acquisition cost per tier.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(ValueTiersParameters parameters, PlanContext context) =>
        new(new TableSchema(new (string, DataKind)[]
            {
                ("customer_id", DataKind.Text), ("clv", DataKind.Number), ("clv_percentile", DataKind.Number), ("tier", DataKind.Text), ("max_cac", DataKind.Number),
            }.Select(c => new ColumnSchema(c.Item1, c.Item2.ToString().ToUpperInvariant(), c.Item2)).ToList()),
        [
            new ColumnRequirement(0, parameters.CustomerColumn, []),
            new ColumnRequirement(0, parameters.ValueColumn, [DataKind.Number, DataKind.Integer], "Set value_column to a numeric column such as the clv of analytics.ltv."),
        ])
        {
            SideOutputs =
            [
                new(Summary, OutputRole.Diagnostics, "A tier: customers, minimum, mean and total CLV, mean affordable CAC and its rank (0 most valuable).", Standardize.Schema.Of(
                    ("tier", DataKind.Text), ("customers", DataKind.Integer), ("min_clv", DataKind.Number), ("avg_clv", DataKind.Number), ("total_clv", DataKind.Number),
                    ("avg_max_cac", DataKind.Number), ("tier_rank", DataKind.Integer))),
            ],
        };

    private const string Summary = "summary";

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ValueTiersParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var q = new SqlBuilder(d);
        var cacPerClv = q.Bind(p.Margin / p.TargetLtvCac);
        var tier = new System.Text.StringBuilder("CASE");
        for (var i = 0; i < p.Cutoffs.Count; i++)
            tier.Append(CultureInfo.InvariantCulture, $" WHEN clv_percentile >= {q.Bind(p.Cutoffs[i])} THEN {q.Bind(p.Tiers[i], DataKind.Text)}");
        tier.Append(CultureInfo.InvariantCulture, $" ELSE {q.Bind(p.Tiers[^1], DataKind.Text)} END");
        var sql = $"""
            WITH ranked AS (
                SELECT CAST({d.Quote(p.CustomerColumn)} AS VARCHAR) AS customer_id, CAST({d.Quote(p.ValueColumn)} AS DOUBLE PRECISION) AS clv,
                       cume_dist() OVER (ORDER BY {d.Quote(p.ValueColumn)}) AS clv_percentile
                FROM {d.Quote(context.Inputs[0])} WHERE {d.Quote(p.ValueColumn)} IS NOT NULL)
            SELECT customer_id, clv, clv_percentile, {tier} AS tier, clv * {cacPerClv} AS max_cac FROM ranked
            """;
        var summary = new SqlBuilder(d);
        var order = string.Join(" ", p.Tiers.Select((tierName, i) => $"WHEN tier = {summary.Bind(tierName)} THEN {i}"));
        // Builds run in order before the one commit, so the summary reads the tiers just staged.
        var staged = "";
        var rows = (await context.Warehouse.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => { staged = b.QuotedName; return b.CreateAsSelectAsync(sql, q.Parameters, ct); }),
            new TableWrite(context.Output(Summary), TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync($"""
                SELECT tier, count(*) AS customers, min(clv) AS min_clv, avg(clv) AS avg_clv, sum(clv) AS total_clv, avg(max_cac) AS avg_max_cac,
                       CASE {order} END AS tier_rank
                FROM {staged} GROUP BY tier
                """, summary.Parameters, ct)),
        ], cancellationToken).ConfigureAwait(false))[0];
        return new Materialization(rows, new Dictionary<string, object?> { ["summary_table"] = context.Output(Summary) });
    }
}
