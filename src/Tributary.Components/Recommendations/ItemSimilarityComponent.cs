using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Analytics.Recommendations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Recommendations;

/// <summary>Parameters of <c>recs.item_similarity</c>.</summary>
public sealed record ItemSimilarityParameters
{
    /// <summary>Neighbours per item.</summary>
    [Description("Most similar items kept per item (top-K). Default 20.")]
    [Range(1, 1000)]
    public int Neighbours { get; init; } = 20;

    /// <summary>Shrinkage λ.</summary>
    [Description("Shrinkage λ: a similarity shared by n customers is multiplied by n/(n + λ), so that pairs seen by few count less. Default 10.")]
    [Range(0, 100000)]
    public double Shrinkage { get; init; } = 10;

    /// <summary>Minimum customers per pair.</summary>
    [Description("Customers who must have both items before a pair counts. Default 2.")]
    [Range(1, 1000000)]
    public int MinSupport { get; init; } = 2;

    internal ItemSimilarityOptions Options => new(Neighbours, Shrinkage, MinSupport);
}

/// <summary>
/// Item-item collaborative filtering on a <c>recs.interactions</c> table: each item's most similar items by cosine of
/// their customer vectors with shrinkage and a minimum support (Sarwar et al. 2001; Koren 2008), computed sparsely in parallel.
/// </summary>
public sealed class ItemSimilarityComponent : IComponent<ItemSimilarityParameters>
{
    /// <inheritdoc />
    public static string TypeName => "recs.item_similarity";
    /// <inheritdoc />
    public static string Description => "Item-item similarity: each product's most similar products by shrunk cosine over customers.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    internal static readonly (string, DataKind)[] Columns =
        [("sku", DataKind.Text), ("similar_sku", DataKind.Text), ("score", DataKind.Number), ("support", DataKind.Integer), ("rank", DataKind.Integer)];

    /// <inheritdoc />
    public ComponentPlan Plan(ItemSimilarityParameters parameters, PlanContext context) =>
        new(Standardize.Schema.Of(Columns), Als.InteractionNeeds) { MainDescription = "An item and one of its most similar items: shrunk cosine, customers in common, rank (1 best)." };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ItemSimilarityParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var data = await InteractionData.ReadAsync(context, context.Inputs[0], "customer_id", "sku", "weight", cancellationToken).ConfigureAwait(false);
        var neighbours = ItemSimilarity.Compute(data.Matrix, p.Options, cancellationToken);
        var rows = Rows(data.Items, neighbours).ToList();
        context.Log($"{rows.Count:N0} neighbour pairs for {data.Items.Length:N0} items");
        var written = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct), cancellationToken).ConfigureAwait(false);
        return new Materialization(written, new Dictionary<string, object?> { ["items"] = data.Items.Length });
    }

    internal static IEnumerable<object?[]> Rows(string[] items, ItemNeighbours n)
    {
        for (var i = 0; i < n.Items; i++)
            for (var e = n.Start[i]; e < n.Start[i + 1]; e++)
                yield return [items[i], items[n.Neighbour[e]], n.Score[e], (long)n.Support[e], (long)(e - n.Start[i] + 1)];
    }
}
