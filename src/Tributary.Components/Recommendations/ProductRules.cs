using System.Globalization;
using Tributary.Core.Components;

namespace Tributary.Components.Recommendations;

/// <summary>What the rules need to know of a product.</summary>
internal sealed record ProductFacts(string? Category, double? Price, bool Active, double? Stock);

/// <summary>The business rules of <c>recs.for_customers</c>: which items may be shown, boosts, category caps, repurchases.</summary>
internal sealed class ProductRules(ForCustomersParameters p, IReadOnlyDictionary<string, ProductFacts>? products)
{
    private readonly HashSet<string> _exclude = new(p.ExcludeSkus, StringComparer.Ordinal);
    private readonly HashSet<string> _boost = new(p.BoostSkus, StringComparer.Ordinal);
    private readonly HashSet<string> _repurchasable = new(p.RepurchasableCategories, StringComparer.Ordinal);

    public static async Task<Dictionary<string, ProductFacts>> ReadAsync(ComponentContext context, string table, ForCustomersParameters p, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var schema = await context.Warehouse.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false);
        var active = schema?.Find(p.ActiveColumn) is null ? "CAST(NULL AS BOOLEAN)" : $"CAST({d.Quote(p.ActiveColumn)} AS BOOLEAN)";
        if (p.StockColumn is { } stockColumn && schema?.Find(stockColumn) is null)
            throw new ArgumentException($"products table '{table}' has no column '{stockColumn}' (stock_column); set stock_column to its units-in-stock column.");
        var stock = p.StockColumn is null ? "CAST(NULL AS DOUBLE PRECISION)" : $"CAST({d.Quote(p.StockColumn)} AS DOUBLE PRECISION)";
        var sql = $"""
            SELECT CAST(sku AS VARCHAR), CAST({d.Quote(p.CategoryColumn)} AS VARCHAR), CAST({d.Quote(p.PriceColumn)} AS DOUBLE PRECISION), {active}, {stock}
            FROM {d.Quote(table)} WHERE sku IS NOT NULL
            """;
        var facts = new Dictionary<string, ProductFacts>(StringComparer.Ordinal);
        await foreach (var row in context.Warehouse.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
            facts[(string)row[0]!] = new ProductFacts((string?)row[1], row[2] is null ? null : Convert.ToDouble(row[2], CultureInfo.InvariantCulture),
                row[3] is not bool b || b, row[4] is null ? null : Convert.ToDouble(row[4], CultureInfo.InvariantCulture));
        return facts;
    }

    /// <summary>May <paramref name="sku"/> be recommended to anyone: not excluded and, with products, known, active, in stock and in the price band.</summary>
    public bool Eligible(string sku)
    {
        if (_exclude.Contains(sku)) return false;
        if (products is null) return true;
        if (!products.TryGetValue(sku, out var f) || !f.Active) return false;
        if (p.StockColumn is not null && !(f.Stock > 0)) return false;
        if (p.MinPrice is { } low && !(f.Price >= low)) return false;
        return p.MaxPrice is not { } high || f.Price <= high;
    }

    private string? Category(string sku) => products?.GetValueOrDefault(sku)?.Category;

    /// <summary>The customer's list: eligible candidates not owned (unless repurchasable), boosted, capped per category, filled up from <paramref name="fallback"/>.</summary>
    public List<Candidate> Choose(IReadOnlyList<Candidate> candidates, ReadOnlySpan<int> owned, string[] items, IReadOnlyList<(int Item, double Score)> fallback,
        int limit, out bool usedFallback)
    {
        var skip = new HashSet<int>();
        if (p.ExcludePurchased)
            foreach (var i in owned)
                if (Category(items[i]) is not { } c || !_repurchasable.Contains(c)) skip.Add(i);
        var ranked = candidates.Where(c => !skip.Contains(c.Item) && Eligible(items[c.Item]))
            .Select(c => _boost.Contains(items[c.Item]) ? c with { Score = c.Score >= 0 ? c.Score * p.BoostFactor : c.Score / p.BoostFactor } : c)
            .OrderByDescending(c => c.Score).ThenBy(c => c.Item).ToList();
        var chosen = new List<Candidate>(limit);
        var perCategory = new Dictionary<string, int>(StringComparer.Ordinal);
        var taken = new HashSet<int>();
        bool Take(Candidate c)
        {
            if (taken.Contains(c.Item)) return false;
            if (p.MaxPerCategory > 0 && Category(items[c.Item]) is { } category)
            {
                var n = perCategory.GetValueOrDefault(category);
                if (n >= p.MaxPerCategory) return false;
                perCategory[category] = n + 1;
            }
            taken.Add(c.Item);
            chosen.Add(c);
            return true;
        }
        foreach (var c in ranked)
        {
            if (chosen.Count == limit) break;
            Take(c);
        }
        usedFallback = false;
        foreach (var (item, score) in fallback)
        {
            if (chosen.Count == limit) break;
            if (skip.Contains(item)) continue;
            if (Take(new Candidate(item, score, "popular", -1))) usedFallback = true;
        }
        return chosen;
    }
}
