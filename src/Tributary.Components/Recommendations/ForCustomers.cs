using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Recommendations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Recommendations;

/// <summary>Parameters of <c>recs.for_customers</c>.</summary>
public sealed record ForCustomersParameters : IValidatableObject
{
    /// <summary>Recommendations per customer.</summary>
    [Description("Recommendations per customer. Default 10.")]
    [Range(1, 1000)]
    public int Limit { get; init; } = 10;

    /// <summary>Leave out what the customer already has.</summary>
    [Description("Leave out items the customer already interacted with (except in repurchasable_categories). Default true.")]
    public bool ExcludePurchased { get; init; } = true;

    /// <summary>Categories bought again and again.</summary>
    [Description("Categories of consumables that may be recommended again after a purchase, e.g. [coffee]. Needs products as third input.")]
    public IReadOnlyList<string> RepurchasableCategories { get; init; } = [];

    /// <summary>At most this many per category.</summary>
    [Description("At most this many recommendations per category in one customer's list, for diversity; 0 means no limit. Needs products. Default 0.")]
    [Range(0, 1000)]
    public int MaxPerCategory { get; init; }

    /// <summary>SKUs to promote.</summary>
    [Description("SKUs to promote: their score is multiplied by boost_factor.")]
    public IReadOnlyList<string> BoostSkus { get; init; } = [];

    /// <summary>Boost multiplier.</summary>
    [Description("Multiplier of the scores of boost_skus. Default 1.5.")]
    [Range(1, 1000)]
    public double BoostFactor { get; init; } = 1.5;

    /// <summary>SKUs never recommended.</summary>
    [Description("SKUs never to recommend (discontinued, recalled, gift cards).")]
    public IReadOnlyList<string> ExcludeSkus { get; init; } = [];

    /// <summary>Lowest price.</summary>
    [Description("Lowest price of a recommended product. Needs products.")]
    [Range(0, double.MaxValue)]
    public double? MinPrice { get; init; }

    /// <summary>Highest price.</summary>
    [Description("Highest price of a recommended product. Needs products.")]
    [Range(0, double.MaxValue)]
    public double? MaxPrice { get; init; }

    /// <summary>Active flag column of products.</summary>
    [Description("Products column that says a product is active (BOOLEAN); inactive products are never recommended. Default is_active.")]
    public string ActiveColumn { get; init; } = "is_active";

    /// <summary>Stock column of products.</summary>
    [Description("Products column holding units in stock; products with none are never recommended. Unset: stock is not checked.")]
    public string? StockColumn { get; init; }

    /// <summary>Category column of products.</summary>
    [Description("Products column holding the category. Default category.")]
    public string CategoryColumn { get; init; } = "category";

    /// <summary>Price column of products.</summary>
    [Description("Products column holding the price. Default price.")]
    public string PriceColumn { get; init; } = "price";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (MinPrice is { } low && MaxPrice is { } high && low > high)
            yield return new ValidationResult($"min_price ({low.ToString(CultureInfo.InvariantCulture)}) must not exceed max_price ({high.ToString(CultureInfo.InvariantCulture)}).", [nameof(MinPrice)]);
    }
}

/// <summary>
/// Top-N recommendations per customer from a model's output (recs.als candidates, recs.item_similarity neighbours or
/// recs.popular), with exclusions and the business rules of a products table: active and in stock only, price band, at most
/// k per category, boost and exclude lists. Customers whose model list runs short are filled from the most popular eligible
/// items; that list, for customers never seen, is its <c>fallback</c> output.
/// Inputs: the recs.interactions table, the model's table, and optionally the products table.
/// </summary>
public sealed class ForCustomers : IComponent<ForCustomersParameters>
{
    /// <inheritdoc />
    public static string TypeName => "recs.for_customers";
    /// <inheritdoc />
    public static string Description => "Top-N recommendations per customer from a model, with exclusions and business rules from the products table.";
    /// <inheritdoc />
    public static InputArity Inputs => new(2, 3);

    internal static readonly (string, DataKind)[] Columns =
    [
        ("customer_id", DataKind.Text), ("rank", DataKind.Integer), ("sku", DataKind.Text), ("score", DataKind.Number), ("source", DataKind.Text),
        ("because_sku", DataKind.Text),
    ];
    internal static readonly (string, DataKind)[] FallbackColumns = [("rank", DataKind.Integer), ("sku", DataKind.Text), ("score", DataKind.Number)];
    internal static readonly DeclaredOutput FallbackOutput = new("fallback", OutputRole.Detail,
        "An item of the cold-start list for customers with no history: the most popular eligible items.", Standardize.Schema.Of(FallbackColumns));

    /// <inheritdoc />
    public ComponentPlan Plan(ForCustomersParameters p, PlanContext context)
    {
        List<ColumnRequirement> needs = [.. Als.InteractionNeeds, new(1, "sku", [], "Use the output of recs.als, recs.item_similarity or recs.popular as second input.")];
        if (context.Inputs.Count == 3)
            needs.AddRange([new(2, "sku", []), new(2, p.CategoryColumn, []), new(2, p.PriceColumn, [DataKind.Number, DataKind.Integer])]);
        else if (p.MaxPerCategory > 0 || p.MinPrice is not null || p.MaxPrice is not null || p.RepurchasableCategories.Count > 0 || p.StockColumn is not null)
            throw new PlanException("max_per_category, min_price, max_price, repurchasable_categories and stock_column read the products table; give it as third input.");
        if (context.Inputs.Count > 1 && context.Inputs[1].Schema is { } model && ModelKind.Of(model) is null)
            throw new PlanException($"input '{context.Inputs[1].Id}' is not a model output: expected the columns of recs.als (customer_id, sku, score), "
                + "recs.item_similarity (sku, similar_sku, score) or recs.popular (sku, popularity).");
        return new ComponentPlan(Standardize.Schema.Of(Columns), needs)
        {
            SideOutputs = [FallbackOutput],
            MainDescription = "A recommendation: customer, rank (1 best), item, score, where it came from and the customer's item it follows from.",
        };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ForCustomersParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var data = await InteractionData.ReadAsync(context, context.Inputs[0], "customer_id", "sku", "weight", cancellationToken).ConfigureAwait(false);
        var schema = await context.Warehouse.DescribeTableAsync(context.Inputs[1], cancellationToken).ConfigureAwait(false);
        var kind = (schema is null ? null : ModelKind.Of(schema)) ?? throw new InvalidOperationException(
            $"input '{context.Inputs[1]}' is not a model output (recs.als, recs.item_similarity or recs.popular).");
        var products = context.Inputs.Count == 3 ? await ProductRules.ReadAsync(context, context.Inputs[2], p, cancellationToken).ConfigureAwait(false) : null;
        var rules = new ProductRules(p, products);
        var model = await ModelScores.ReadAsync(context, context.Inputs[1], schema!, kind, data, cancellationToken).ConfigureAwait(false);

        var popularity = data.Matrix.ColumnCounts();
        var fallback = TopN.Indexes(popularity.Select(c => (double)c).ToArray(), data.Items.Length, i => !rules.Eligible(data.Items[i]))
            .Select(i => (Item: i, Score: (double)popularity[i] / Math.Max(1, data.Customers.Length))).ToList();
        var rows = new object?[data.Customers.Length][][];
        var filled = 0;
        Parallel.For(0, data.Customers.Length, new ParallelOptions { CancellationToken = cancellationToken }, () => new ModelScores.Buffer(data.Items.Length), (u, _, buffer) =>
        {
            var (from, to) = (data.Matrix.RowStart[u], data.Matrix.RowStart[u + 1]);
            var owned = data.Matrix.Columns.AsSpan(from, to - from);
            var candidates = model.Candidates(u, owned, data.Matrix.Values.AsSpan(from, to - from), buffer);
            var list = rules.Choose(candidates, owned, data.Items, fallback, p.Limit, out var usedFallback);
            if (usedFallback) Interlocked.Increment(ref filled);
            rows[u] = list.Select((c, r) => new object?[] { data.Customers[u], (long)(r + 1), data.Items[c.Item], c.Score, c.Source, c.Because < 0 ? null : data.Items[c.Because] }).ToArray();
            return buffer;
        }, _ => { });
        var all = rows.SelectMany(r => r).ToList();
        var fallbackRows = fallback.Take(Math.Max(p.Limit, 50)).Select((f, r) => new object?[] { (long)(r + 1), data.Items[f.Item], f.Score }).ToList();
        context.Log($"{all.Count:N0} recommendations for {data.Customers.Length:N0} customers from {model.Name}; {filled:N0} lists filled up from popular items");
        var written = await context.Warehouse.WriteTablesAsync(
        [
            new(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(Columns, all, ct)),
            new(context.Output(FallbackOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(FallbackColumns, fallbackRows, ct)),
        ], cancellationToken).ConfigureAwait(false);
        return new Materialization(written[0], new Dictionary<string, object?>
        {
            ["model"] = model.Name, ["customers"] = data.Customers.Length, ["filled_from_popular"] = filled, ["fallback_table"] = context.Output(FallbackOutput.Name),
        });
    }
}
