using System.Globalization;
using Tributary.Core.Warehousing;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// Everything the recommendation endpoints answer from, read from the latest materializations into memory once and never
/// changed afterwards: a request holds one snapshot, so a new materialization never shows it half loaded.
/// </summary>
internal sealed record RecommendationSnapshot(
    IReadOnlyDictionary<string, RecommendedItem[]> ByProfile,
    IReadOnlyDictionary<string, string> ProfileOf,
    RecommendedItem[] Fallback,
    IReadOnlyDictionary<string, RelatedItem[]> Similar,
    IReadOnlyDictionary<string, RelatedItem[]> Together,
    IReadOnlyDictionary<string, ProductFacts>? Products,
    DateTimeOffset MaterializedAt,
    string Key,
    string Asset)
{
    /// <summary>Each profile's list serialized once, so that a plain request copies bytes instead of serializing.</summary>
    public IReadOnlyDictionary<string, SerializedList> ByProfileJson { get; } = ByProfile.ToDictionary(p => p.Key, p => SerializedList.Of(p.Value), StringComparer.Ordinal);

    /// <summary>The cold-start list, serialized.</summary>
    public SerializedList FallbackJson { get; } = SerializedList.Of(Fallback);

    /// <summary>Similar items per SKU, serialized.</summary>
    public IReadOnlyDictionary<string, SerializedList> SimilarJson { get; } = Similar.ToDictionary(p => p.Key, p => SerializedList.Of(p.Value), StringComparer.Ordinal);

    /// <summary>Bought-together items per SKU, serialized.</summary>
    public IReadOnlyDictionary<string, SerializedList> TogetherJson { get; } = Together.ToDictionary(p => p.Key, p => SerializedList.Of(p.Value), StringComparer.Ordinal);

    /// <summary>The lists overall: customers, catalog coverage, the <paramref name="top"/> products on most lists, items per source.</summary>
    public RecommendationOverview Overview(int top)
    {
        var lists = ByProfile.Values.ToList();
        var items = lists.Sum(l => l.Length);
        // A product counts once per list, however a merged profile's lists repeat it.
        var perProduct = lists.SelectMany(l => l.Select(i => i.Sku).Distinct(StringComparer.Ordinal))
            .GroupBy(s => s, StringComparer.Ordinal).Select(g => (Sku: g.Key, Count: g.Count())).ToList();
        var topProducts = perProduct.OrderByDescending(p => p.Count).ThenBy(p => p.Sku, StringComparer.Ordinal).Take(top)
            .Select(p => new RecommendedProductCount(p.Sku, p.Count, lists.Count == 0 ? 0 : (double)p.Count / lists.Count)).ToList();
        var sources = lists.SelectMany(l => l).GroupBy(i => i.Source, StringComparer.Ordinal).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new RecommendationSourceCount(g.Key, g.Count(), items == 0 ? 0 : (double)g.Count() / items)).ToList();
        return new RecommendationOverview(lists.Count, items, perProduct.Count, Products?.Count, topProducts, sources, MaterializedAt);
    }

    /// <summary>Reads every table of <paramref name="tables"/> into a new snapshot.</summary>
    public static async Task<RecommendationSnapshot> LoadAsync(IWarehouse warehouse, RecommendationTables tables, CancellationToken cancellationToken)
    {
        var (recs, fallback, similar, together, identity, products) = (tables.Recommendations, tables.Fallback, tables.Similar, tables.Together, tables.Identity, tables.Products);
        var d = warehouse.Dialect;
        var byProfile = new Dictionary<string, List<RecommendedItem>>(StringComparer.Ordinal);
        await foreach (var r in warehouse.StreamAsync($"SELECT customer_id, rank, sku, score, source, because_sku FROM {d.Quote(recs.Asset)} ORDER BY customer_id, rank", null, cancellationToken).ConfigureAwait(false))
        {
            var customer = (string)r[0]!;
            if (!byProfile.TryGetValue(customer, out var list)) byProfile[customer] = list = [];
            list.Add(new RecommendedItem(Int(r[1]), (string)r[2]!, Double(r[3]), (string)r[4]!, (string?)r[5]));
        }
        var popular = new List<RecommendedItem>();
        if (fallback is not null)
            await foreach (var r in warehouse.StreamAsync($"SELECT rank, sku, score FROM {d.Quote(fallback.Asset)} ORDER BY rank", null, cancellationToken).ConfigureAwait(false))
                popular.Add(new RecommendedItem(Int(r[0]), (string)r[1]!, Double(r[2]), "popular", null));
        // Profiles merged since the lists were built: the person's current (surviving) profile serves the lists they had.
        var mergedInto = new Dictionary<string, string>(StringComparer.Ordinal);
        if (tables.Merges is { } merges)
            await foreach (var r in warehouse.StreamAsync($"SELECT merged_profile, surviving_profile FROM {d.Quote(merges.Asset)} WHERE merged_profile IS NOT NULL AND surviving_profile IS NOT NULL",
                null, cancellationToken).ConfigureAwait(false))
                mergedInto.TryAdd((string)r[0]!, (string)r[1]!);
        var profileOf = new Dictionary<string, string>(StringComparer.Ordinal);
        if (identity is not null)
            await foreach (var r in warehouse.StreamAsync($"SELECT identifier_value, profile_id FROM {d.Quote(identity.Asset)} WHERE identifier_value IS NOT NULL", null, cancellationToken).ConfigureAwait(false))
                profileOf.TryAdd((string)r[0]!, (string)r[1]!);
        var similarItems = similar is null ? new Dictionary<string, RelatedItem[]>()
            : await RelatedAsync(warehouse, $"SELECT sku, rank, similar_sku, score, support, CAST(NULL AS DOUBLE PRECISION) FROM {d.Quote(similar.Asset)} ORDER BY sku, rank", cancellationToken).ConfigureAwait(false);
        var togetherItems = together is null ? new Dictionary<string, RelatedItem[]>()
            : await RelatedAsync(warehouse, $"SELECT sku, rank, other_sku, lift, orders, confidence FROM {d.Quote(together.Asset)} ORDER BY sku, rank", cancellationToken).ConfigureAwait(false);
        Dictionary<string, ProductFacts>? productFacts = null;
        if (products is not null)
        {
            productFacts = new Dictionary<string, ProductFacts>(StringComparer.Ordinal);
            await foreach (var r in warehouse.StreamAsync($"SELECT CAST(sku AS VARCHAR), CAST(category AS VARCHAR), CAST(price AS DOUBLE PRECISION) FROM {d.Quote(products.Asset)} WHERE sku IS NOT NULL",
                null, cancellationToken).ConfigureAwait(false))
                productFacts.TryAdd((string)r[0]!, new ProductFacts(r[1] as string, r[2] is null ? null : Double(r[2])));
        }
        var lists = MergedRecommendations.Combine(byProfile.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal), mergedInto);
        return new RecommendationSnapshot(lists, profileOf, [.. popular],
            similarItems, togetherItems, productFacts, recs.At, tables.Key, recs.Asset);
    }

    private static async Task<Dictionary<string, RelatedItem[]>> RelatedAsync(IWarehouse warehouse, string sql, CancellationToken cancellationToken)
    {
        var lists = new Dictionary<string, List<RelatedItem>>(StringComparer.Ordinal);
        await foreach (var r in warehouse.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
        {
            var sku = (string)r[0]!;
            if (!lists.TryGetValue(sku, out var list)) lists[sku] = list = [];
            list.Add(new RelatedItem(Int(r[1]), (string)r[2]!, Double(r[3]), Convert.ToInt64(r[4], CultureInfo.InvariantCulture), r[5] is null ? null : Double(r[5])));
        }
        return lists.ToDictionary(l => l.Key, l => l.Value.ToArray(), StringComparer.Ordinal);
    }

    /// <summary>The profile of an identifier: the profile id itself, the identifier as given, or trimmed and lower-cased (emails).</summary>
    public string? Resolve(string customer)
    {
        if (ByProfile.ContainsKey(customer)) return customer;
        if (ProfileOf.TryGetValue(customer, out var profile)) return profile;
        return ProfileOf.TryGetValue(customer.Trim().ToLowerInvariant(), out profile) ? profile : null;
    }

    private static int Int(object? value) => Convert.ToInt32(value, CultureInfo.InvariantCulture);
    private static double Double(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
