using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Segments;

/// <summary>Parameters of <c>segment.rfm</c>.</summary>
public sealed record RfmParameters : IValidatableObject
{
    /// <summary>Customer id column.</summary>
    [Description("Input column holding the customer id. Default customer_id.")]
    public string CustomerColumn { get; init; } = "customer_id";

    /// <summary>Order date column.</summary>
    [Description("Input column holding the order date or timestamp; a timestamp counts on its calendar day in the project's timezone (tributary.yaml, default UTC). Default ordered_at.")]
    public string DateColumn { get; init; } = "ordered_at";

    /// <summary>Order value column.</summary>
    [Description("Input column holding the order value. Default amount.")]
    public string AmountColumn { get; init; } = "amount";

    /// <summary>Order id column, when the input has one row per line item.</summary>
    [Description("Input column holding the order id, when the input has several rows per order (line items); frequency then counts distinct orders.")]
    public string? OrderColumn { get; init; }

    /// <summary>Reference date for recency.</summary>
    [Description("Date (YYYY-MM-DD) recency is measured from; orders after it are ignored. Default: the last order date in the input.")]
    public string? AsOf { get; init; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (AsOf is not null && !DateOnly.TryParseExact(AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            yield return new ValidationResult($"as_of must be a date as YYYY-MM-DD, got '{AsOf}'.", [nameof(AsOf)]);
    }
}

/// <summary>
/// RFM segmentation: recency, frequency and monetary scores 1–5 by quintile of rank (recency reversed, ties share
/// the lower score, so one-time buyers all score F = 1), and the eleven named segments marketers use, each with
/// a recommended action. Computed entirely in the warehouse.
/// </summary>
public sealed class RfmSegmentation : IComponent<RfmParameters>
{
    // First match wins; every (R, F) pair is covered. R and F are the recency and frequency scores.
    internal static readonly (string Segment, int[] R, int[] F, string Action)[] Rules =
    [
        ("Champions", [5], [4, 5], "Reward them: early access, loyalty perks, ask for reviews and referrals."),
        ("Loyal", [3, 4], [4, 5], "Upsell higher-value products; invite to the loyalty programme."),
        ("Potential Loyalist", [4, 5], [2, 3], "Offer membership or a second-category recommendation."),
        ("New", [5], [1], "Onboard well: welcome series, how-to content, a reason to buy again."),
        ("Promising", [4], [1], "Build the habit: a limited-time offer on a complementary product."),
        ("Need Attention", [3], [3], "Re-engage with personalised recommendations before they slip."),
        ("About to Sleep", [3], [1, 2], "Win back with popular products and a modest incentive."),
        ("Can't Lose Them", [1, 2], [5], "Reach out personally: a strong win-back offer, ask what went wrong."),
        ("At Risk", [1, 2], [3, 4], "Send personalised win-back campaigns and renewal offers."),
        ("Hibernating", [2], [1, 2], "Offer relevant products at a discount; keep contact light."),
        ("Lost", [1], [1, 2], "Try one reactivation campaign, then suppress to save budget."),
    ];

    /// <inheritdoc />
    public static string TypeName => "segment.rfm";
    /// <inheritdoc />
    public static string Description => "Score customers 1-5 on recency, frequency and monetary value and name their RFM segment with an action.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    /// <inheritdoc />
    public ComponentPlan Plan(RfmParameters parameters, PlanContext context)
    {
        var requires = new List<ColumnRequirement>
        {
            new(0, parameters.CustomerColumn, []),
            new(0, parameters.DateColumn, [DataKind.Date, DataKind.Timestamp], "Set date_column to a DATE or TIMESTAMP column, or cast it upstream."),
            new(0, parameters.AmountColumn, [DataKind.Number, DataKind.Integer], "Set amount_column to a numeric column, or cast it upstream."),
        };
        if (parameters.OrderColumn is { } order) requires.Add(new(0, order, []));
        return new ComponentPlan(Output, requires);
    }

    private static TableSchema Output { get; } = new(new (string Name, DataKind Kind)[]
    {
        ("customer_id", DataKind.Text), ("last_order_date", DataKind.Date), ("recency_days", DataKind.Integer), ("frequency", DataKind.Integer),
        ("monetary", DataKind.Number), ("r_score", DataKind.Integer), ("f_score", DataKind.Integer), ("m_score", DataKind.Integer),
        ("rfm_score", DataKind.Text), ("segment", DataKind.Text), ("action", DataKind.Text),
    }.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList());

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(RfmParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var input = d.Quote(context.Inputs[0]);
        var (c, t, a) = (d.Quote(p.CustomerColumn), d.Quote(p.DateColumn), d.Quote(p.AmountColumn));
        var first = new SqlBuilder(d);
        var lastDay = first.Cast(await ReportingZone.LocalAsync(context, first, context.Inputs[0], p.DateColumn, cancellationToken).ConfigureAwait(false), DataKind.Date);
        var asOf = p.AsOf ?? (await context.Warehouse.ScalarAsync($"SELECT max({lastDay}) FROM {input}", first.Parameters, cancellationToken).ConfigureAwait(false)
            is DateOnly last ? last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)
            : throw new InputDataException($"input '{context.Inputs[0]}' has no order dates; nothing to segment."));
        var q = new SqlBuilder(d);
        // An order's day is the reporting zone's calendar day.
        var orderDay = q.Cast(await ReportingZone.LocalAsync(context, q, context.Inputs[0], p.DateColumn, cancellationToken).ConfigureAwait(false), DataKind.Date);
        var day = q.Bind(asOf, DataKind.Date);
        var frequency = p.OrderColumn is { } order ? $"count(DISTINCT {d.Quote(order)})" : "count(*)";
        var segment = new System.Text.StringBuilder("CASE");
        var action = new System.Text.StringBuilder("CASE");
        foreach (var rule in Rules)
        {
            var when = $" WHEN r_score IN ({string.Join(", ", rule.R)}) AND f_score IN ({string.Join(", ", rule.F)})";
            segment.Append(CultureInfo.InvariantCulture, $"{when} THEN {q.Bind(rule.Segment, DataKind.Text)}");
            action.Append(CultureInfo.InvariantCulture, $"{when} THEN {q.Bind(rule.Action, DataKind.Text)}");
        }
        var sql = $"""
            WITH customers AS (
                SELECT CAST({c} AS VARCHAR) AS customer_id, max({orderDay}) AS last_order_date, {frequency} AS frequency,
                       {q.ExactSum(a)} AS monetary
                FROM {input}
                WHERE {c} IS NOT NULL AND {t} IS NOT NULL AND {orderDay} <= {day}
                GROUP BY 1),
            measured AS (SELECT *, {q.DaysBetween("last_order_date", day)} AS recency_days, count(*) OVER () AS n FROM customers),
            scored AS (
                SELECT *,
                    1 + CAST(floor(5.0 * (rank() OVER (ORDER BY recency_days DESC) - 1) / n) AS INTEGER) AS r_score,
                    1 + CAST(floor(5.0 * (rank() OVER (ORDER BY frequency) - 1) / n) AS INTEGER) AS f_score,
                    1 + CAST(floor(5.0 * (rank() OVER (ORDER BY monetary) - 1) / n) AS INTEGER) AS m_score
                FROM measured)
            SELECT customer_id, last_order_date, recency_days, CAST(frequency AS BIGINT) AS frequency, monetary,
                   r_score, f_score, m_score,
                   CAST(r_score AS VARCHAR) || CAST(f_score AS VARCHAR) || CAST(m_score AS VARCHAR) AS rfm_score,
                   {segment} END AS segment, {action} END AS action
            FROM scored
            """;
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, q.Parameters, ct), cancellationToken).ConfigureAwait(false);
        return new Materialization(rows, new Dictionary<string, object?> { ["as_of"] = asOf });
    }
}
