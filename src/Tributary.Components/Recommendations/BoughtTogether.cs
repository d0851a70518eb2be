using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Recommendations;

/// <summary>Parameters of <c>recs.bought_together</c>.</summary>
public sealed record BoughtTogetherParameters
{
    /// <summary>Basket column.</summary>
    [Description("Input column holding the basket (order id). Default order_id.")]
    public string OrderColumn { get; init; } = "order_id";

    /// <summary>Item column.</summary>
    [Description("Input column holding the item (product SKU). Default sku.")]
    public string ItemColumn { get; init; } = "sku";

    /// <summary>Minimum baskets per pair.</summary>
    [Description("Orders that must hold both items before a rule is kept. Default 2.")]
    [Range(1, 1000000000)]
    public int MinOrders { get; init; } = 2;

    /// <summary>Minimum confidence.</summary>
    [Description("Least confidence P(other | sku) a rule must have. Default 0.")]
    [Range(0, 1)]
    public double MinConfidence { get; init; }

    /// <summary>Lift a rule must exceed.</summary>
    [Description("Lift a rule must exceed. Default 1: a pair bought together no more often than chance (lift 1 or less) is no 'bought together' rule.")]
    [Range(0, 1000000)]
    public double MinLift { get; init; } = 1;

    /// <summary>Rules kept per item.</summary>
    [Description("Rules kept per item, by lift then confidence. Default 20.")]
    [Range(1, 10000)]
    public int Top { get; init; } = 20;
}

/// <summary>
/// Association rules sku → other_sku over order baskets (Agrawal, Imieliński &amp; Swami 1993): support = P(both),
/// confidence = P(other | sku), lift = confidence / P(other); rules with lift at most min_lift (1: no more than chance) are left out. Computed in the warehouse with one self-join per basket.
/// </summary>
public sealed class BoughtTogether : IComponent<BoughtTogetherParameters>
{
    /// <inheritdoc />
    public static string TypeName => "recs.bought_together";
    /// <inheritdoc />
    public static string Description => "Frequently bought together: association rules between products with support, confidence and lift.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    internal static readonly (string, DataKind)[] Columns =
    [
        ("sku", DataKind.Text), ("other_sku", DataKind.Text), ("orders", DataKind.Integer), ("support", DataKind.Number), ("confidence", DataKind.Number),
        ("lift", DataKind.Number), ("rank", DataKind.Integer),
    ];

    /// <inheritdoc />
    public ComponentPlan Plan(BoughtTogetherParameters p, PlanContext context) =>
        new(Standardize.Schema.Of(Columns), Standardize.Schema.Needs(0, p.OrderColumn, p.ItemColumn))
        {
            MainDescription = "A rule 'bought sku, also bought other_sku': orders with both, support, confidence, lift and rank (1 best) per sku.",
        };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(BoughtTogetherParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var q = new SqlBuilder(d);
        var (o, i) = (d.Quote(p.OrderColumn), d.Quote(p.ItemColumn));
        var sql = $"""
            WITH baskets AS (
                SELECT DISTINCT CAST({o} AS VARCHAR) AS basket, CAST({i} AS VARCHAR) AS sku FROM {d.Quote(context.Inputs[0])}
                WHERE {o} IS NOT NULL AND {i} IS NOT NULL),
            total AS (SELECT CAST(count(DISTINCT basket) AS DOUBLE PRECISION) AS n FROM baskets),
            items AS (SELECT sku, CAST(count(*) AS DOUBLE PRECISION) AS n FROM baskets GROUP BY sku),
            pairs AS (
                SELECT a.sku AS sku, b.sku AS other_sku, count(*) AS orders
                FROM baskets a JOIN baskets b ON a.basket = b.basket AND a.sku <> b.sku
                GROUP BY a.sku, b.sku HAVING count(*) >= {q.Bind(p.MinOrders, DataKind.Integer)}),
            rules AS (
                SELECT r.sku, r.other_sku, r.orders, r.orders / t.n AS support, r.orders / x.n AS confidence, r.orders * t.n / (x.n * y.n) AS lift
                FROM pairs r CROSS JOIN total t JOIN items x ON x.sku = r.sku JOIN items y ON y.sku = r.other_sku),
            ranked AS (
                SELECT sku, other_sku, orders, support, confidence, lift,
                       row_number() OVER (PARTITION BY sku ORDER BY lift DESC, confidence DESC, {d.ByteOrder("other_sku")}) AS rank
                FROM rules WHERE confidence >= {q.Bind(p.MinConfidence, DataKind.Number)} AND lift > {q.Bind(p.MinLift, DataKind.Number)})
            SELECT sku, other_sku, CAST(orders AS BIGINT) AS orders, support, confidence, lift, CAST(rank AS BIGINT) AS rank
            FROM ranked WHERE rank <= {q.Bind(p.Top, DataKind.Integer)}
            """;
        var written = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, q.Parameters, ct), cancellationToken).ConfigureAwait(false);
        return Materialization.Of(written);
    }
}
