using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Recommendations;

/// <summary>Parameters of <c>recs.popular</c>.</summary>
public sealed record PopularParameters
{
    /// <summary>Customer column.</summary>
    [Description("Input column holding the customer. Default customer_id.")]
    public string CustomerColumn { get; init; } = "customer_id";

    /// <summary>Item column.</summary>
    [Description("Input column holding the item (product SKU). Default sku.")]
    public string ItemColumn { get; init; } = "sku";

    /// <summary>Date column.</summary>
    [Description("Input column holding the event's date or timestamp. Default ordered_at.")]
    public string DateColumn { get; init; } = "ordered_at";

    /// <summary>Recent window.</summary>
    [Description("Days up to the last event that count as recent, for trending. Default 30.")]
    [Range(1, 3650)]
    public int RecentDays { get; init; } = 30;
}

/// <summary>
/// Popular and trending items, the baseline every model must beat and the fallback for customers with no history:
/// popularity is the share of customers who had the item; trend is its rate of new customers in the recent window over its
/// long-run rate (above 1: rising).
/// </summary>
public sealed class Popular : IComponent<PopularParameters>
{
    /// <inheritdoc />
    public static string TypeName => "recs.popular";
    /// <inheritdoc />
    public static string Description => "Popular and trending items (recent vs long-run rate): the baseline and cold-start fallback.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    internal static readonly (string, DataKind)[] Columns =
    [
        ("sku", DataKind.Text), ("customers", DataKind.Integer), ("recent_customers", DataKind.Integer), ("popularity", DataKind.Number),
        ("trend", DataKind.Number), ("rank", DataKind.Integer), ("trending_rank", DataKind.Integer),
    ];

    /// <inheritdoc />
    public ComponentPlan Plan(PopularParameters p, PlanContext context) =>
        new(Standardize.Schema.Of(Columns),
        [
            new(0, p.CustomerColumn, []), new(0, p.ItemColumn, []),
            new(0, p.DateColumn, [DataKind.Date, DataKind.Timestamp], "Set date_column to a DATE or TIMESTAMP column, or cast it upstream."),
        ]) { MainDescription = "An item: customers who had it (all time and recently), popularity share, trend ratio and both ranks (1 best)." };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(PopularParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var events = await InteractionEvents.ReadAsync(context, context.Inputs[0], new EventColumns(p.CustomerColumn, p.ItemColumn, p.DateColumn, null, null), null,
            cancellationToken).ConfigureAwait(false);
        var rows = Rank(events, p.RecentDays);
        var written = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        return Materialization.Of(written);
    }

    internal static List<object?[]> Rank(IReadOnlyList<DailyEvent> events, int recentDays)
    {
        if (events.Count == 0) return [];
        var last = events.Max(e => e.Day);
        var first = events.Min(e => e.Day);
        var recentFrom = last.AddDays(1 - recentDays);
        var observed = Math.Max(recentDays, last.DayNumber - first.DayNumber + 1);
        var customers = events.Select(e => e.Customer).Distinct(StringComparer.Ordinal).Count();
        var items = events.GroupBy(e => e.Item, StringComparer.Ordinal).Select(g =>
        {
            var all = g.Select(e => e.Customer).Distinct(StringComparer.Ordinal).Count();
            var recent = g.Where(e => e.Day >= recentFrom).Select(e => e.Customer).Distinct(StringComparer.Ordinal).Count();
            return (Sku: g.Key, All: all, Recent: recent, Trend: (double)recent / recentDays / ((double)all / observed));
        }).OrderByDescending(x => x.All).ThenBy(x => x.Sku, StringComparer.Ordinal).ToList();
        var trending = items.OrderByDescending(x => x.Trend).ThenByDescending(x => x.Recent).ThenBy(x => x.Sku, StringComparer.Ordinal)
            .Select((x, i) => (x.Sku, Rank: i + 1)).ToDictionary(x => x.Sku, x => (long)x.Rank, StringComparer.Ordinal);
        return items.Select((x, i) => new object?[] { x.Sku, (long)x.All, (long)x.Recent, (double)x.All / customers, x.Trend, (long)(i + 1), trending[x.Sku] }).ToList();
    }
}
