using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Propensity;

/// <summary>How <c>segment.propensity</c> names its segments.</summary>
public enum PropensitySegmentMethod
{
    /// <summary>decile_1 (highest score) to decile_10.</summary>
    Deciles,
    /// <summary>Named bands by score thresholds.</summary>
    Bands,
}

/// <summary>Parameters of <c>segment.propensity</c>.</summary>
public sealed record PropensitySegmentsParameters : IValidatableObject
{
    /// <summary>The score to segment on.</summary>
    [Description("Input column holding the score: purchase_probability of analytics.propensity or uplift of analytics.uplift. Default purchase_probability.")]
    public string ScoreColumn { get; init; } = "purchase_probability";

    /// <summary>Customer id column.</summary>
    [Description("Input column holding the customer id. Default customer_id.")]
    public string CustomerColumn { get; init; } = "customer_id";

    /// <summary>Deciles or bands.</summary>
    [Description("deciles (segments decile_1, the highest scores, to decile_10) or bands (named by the thresholds in bands). Default deciles.")]
    public PropensitySegmentMethod Method { get; init; } = PropensitySegmentMethod.Deciles;

    /// <summary>Band names and the lowest score of each.</summary>
    [Description("For method bands: each band's name and the lowest score in it, e.g. {high: 0.5, medium: 0.2}; a score may be negative (uplift). Scores below every band get other_band.")]
    public IReadOnlyDictionary<string, double> Bands { get; init; } = new Dictionary<string, double>();

    /// <summary>The band of the lowest scores.</summary>
    [Description("Segment of scores below every band. Default low.")]
    public string OtherBand { get; init; } = "low";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Method == PropensitySegmentMethod.Bands && Bands.Count == 0)
            yield return new ValidationResult("method bands needs bands: a name and the lowest score of each, e.g. {high: 0.5, medium: 0.2}.", [nameof(Bands)]);
        if (Bands.ContainsKey(OtherBand))
            yield return new ValidationResult($"other_band '{OtherBand}' must differ from the names in bands.", [nameof(OtherBand)]);
    }
}

/// <summary>
/// Segments customers on a propensity or uplift score: deciles (decile_1 the highest, ties broken by customer id so the
/// split is stable) or named bands by thresholds; every row keeps its decile. A <c>summary</c> output counts each segment
/// with its score range.
/// </summary>
public sealed class PropensitySegments : IComponent<PropensitySegmentsParameters>
{
    /// <inheritdoc />
    public static string TypeName => "segment.propensity";
    /// <inheritdoc />
    public static string Description => "Segment customers by deciles or named bands of a propensity or uplift score.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    private const string Summary = "summary";

    /// <inheritdoc />
    public ComponentPlan Plan(PropensitySegmentsParameters p, PlanContext context) =>
        new(Standardize.Schema.Of(("customer_id", DataKind.Text), ("score", DataKind.Number), ("decile", DataKind.Integer), ("segment", DataKind.Text)),
        [
            new ColumnRequirement(0, p.CustomerColumn, []),
            new ColumnRequirement(0, p.ScoreColumn, [DataKind.Number, DataKind.Integer], "Set score_column to a numeric score such as purchase_probability or uplift."),
        ])
        {
            SideOutputs =
            [
                new(Summary, OutputRole.Diagnostics, "Each segment: customers and the lowest, mean and highest score.", Standardize.Schema.Of(
                    ("segment", DataKind.Text), ("customers", DataKind.Integer), ("min_score", DataKind.Number), ("avg_score", DataKind.Number), ("max_score", DataKind.Number))),
            ],
        };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(PropensitySegmentsParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var q = new SqlBuilder(d);
        var segment = new StringBuilder();
        if (p.Method == PropensitySegmentMethod.Deciles)
            segment.Append(CultureInfo.InvariantCulture, $"{q.Bind("decile_", DataKind.Text)} || CAST(decile AS VARCHAR)");
        else
        {
            segment.Append("CASE");
            foreach (var (name, min) in p.Bands.OrderByDescending(b => b.Value))
                segment.Append(CultureInfo.InvariantCulture, $" WHEN score >= {q.Bind(min)} THEN {q.Bind(name, DataKind.Text)}");
            segment.Append(CultureInfo.InvariantCulture, $" ELSE {q.Bind(p.OtherBand, DataKind.Text)} END");
        }
        var sql = $"""
            WITH scored AS (
                SELECT CAST({d.Quote(p.CustomerColumn)} AS VARCHAR) AS customer_id, CAST({d.Quote(p.ScoreColumn)} AS DOUBLE PRECISION) AS score
                FROM {d.Quote(context.Inputs[0])} WHERE {d.Quote(p.ScoreColumn)} IS NOT NULL),
            ranked AS (SELECT customer_id, score, ntile(10) OVER (ORDER BY score DESC, {d.ByteOrder("customer_id")}) AS decile FROM scored)
            SELECT customer_id, score, CAST(decile AS INTEGER) AS decile, {segment} AS segment FROM ranked
            """;
        var staged = "";
        var rows = (await context.Warehouse.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => { staged = b.QuotedName; return b.CreateAsSelectAsync(sql, q.Parameters, ct); }),
            new TableWrite(context.Output(Summary), TableWriteMode.Replace, (b, ct) => b.CreateAsSelectAsync(
                $"SELECT segment, count(*) AS customers, min(score) AS min_score, avg(score) AS avg_score, max(score) AS max_score FROM {staged} GROUP BY segment", null, ct)),
        ], cancellationToken).ConfigureAwait(false))[0];
        return new Materialization(rows, new Dictionary<string, object?> { ["summary_table"] = context.Output(Summary) });
    }
}
