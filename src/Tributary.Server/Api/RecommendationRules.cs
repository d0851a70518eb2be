using System.Globalization;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// Business rules one request of <c>GET /api/recommendations/{customer}</c> may tighten: at most k items per category
/// and a price band, applied to the served list like recs.for_customers applies its own.
/// </summary>
internal sealed class RecommendationRules
{
    private readonly int? _maxPerCategory;
    private readonly double? _minPrice;
    private readonly double? _maxPrice;

    private RecommendationRules(int? maxPerCategory, double? minPrice, double? maxPrice) => (_maxPerCategory, _minPrice, _maxPrice) = (maxPerCategory, minPrice, maxPrice);

    /// <summary>Rules from the query, or null when none is given; <paramref name="problem"/> says what is wrong when a value is out of bounds.</summary>
    public static RecommendationRules? Validate(int? maxPerCategory, double? minPrice, double? maxPrice, int maxLimit, out string? problem)
    {
        static string Show(double? v) => v!.Value.ToString(CultureInfo.InvariantCulture);
        problem = maxPerCategory is < 1 || maxPerCategory > maxLimit ? $"max_per_category must be between 1 and {maxLimit}, got {maxPerCategory}"
            : minPrice is { } low && (!double.IsFinite(low) || low < 0) ? $"min_price must be a finite number of 0 or more, got {Show(minPrice)}"
            : maxPrice is { } high && (!double.IsFinite(high) || high < 0) ? $"max_price must be a finite number of 0 or more, got {Show(maxPrice)}"
            : minPrice > maxPrice ? $"min_price ({Show(minPrice)}) must not exceed max_price ({Show(maxPrice)})"
            : null;
        return problem is null && (maxPerCategory is not null || minPrice is not null || maxPrice is not null) ? new RecommendationRules(maxPerCategory, minPrice, maxPrice) : null;
    }

    /// <summary>
    /// The first <paramref name="limit"/> items of <paramref name="items"/> that keep the rules, then of <paramref name="fill"/>
    /// (the popular list) for what is still missing; a product of unknown price is outside any band, one of unknown category counts alone.
    /// </summary>
    public List<RecommendedItem> Apply(IEnumerable<RecommendedItem> items, IEnumerable<RecommendedItem> fill, IReadOnlyDictionary<string, ProductFacts> products, int limit)
    {
        var chosen = new List<RecommendedItem>(limit);
        var taken = new HashSet<string>(StringComparer.Ordinal);
        var perCategory = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var item in items.Concat(fill))
        {
            if (chosen.Count == limit) break;
            if (taken.Contains(item.Sku)) continue;
            var facts = products.GetValueOrDefault(item.Sku);
            if ((_minPrice is not null || _maxPrice is not null) && (facts?.Price is not { } price || price < _minPrice || price > _maxPrice)) continue;
            if (_maxPerCategory is { } cap && facts?.Category is { } category)
            {
                var n = perCategory.GetValueOrDefault(category);
                if (n >= cap) continue;
                perCategory[category] = n + 1;
            }
            taken.Add(item.Sku);
            chosen.Add(item);
        }
        return chosen;
    }
}
