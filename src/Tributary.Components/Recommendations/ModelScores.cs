using System.Globalization;
using Tributary.Analytics.Recommendations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Recommendations;

/// <summary>Which model wrote a table, told by its columns.</summary>
internal enum ModelSource
{
    Als,
    ItemSimilarity,
    Popular,
}

internal static class ModelKind
{
    public static ModelSource? Of(TableSchema schema) =>
        schema.Find("similar_sku") is not null && schema.Find("score") is not null ? ModelSource.ItemSimilarity
        : schema.Find("customer_id") is not null && schema.Find("sku") is not null && schema.Find("score") is not null ? ModelSource.Als
        : schema.Find("sku") is not null && schema.Find("popularity") is not null ? ModelSource.Popular
        : null;

    public static string Name(ModelSource source) => source switch
    {
        ModelSource.Als => "als",
        ModelSource.ItemSimilarity => "item_similarity",
        _ => "popular",
    };
}

/// <summary>A candidate item for a customer, in the interactions' item index.</summary>
internal readonly record struct Candidate(int Item, double Score, string Source, int Because);

/// <summary>A model's output read into the interactions' index space, answering each customer's candidates best first.</summary>
internal sealed class ModelScores
{
    private readonly ModelSource _source;
    private readonly List<(int Item, double Score, int Because)>[]? _perCustomer;
    private readonly ItemNeighbours? _neighbours;
    private readonly List<(int Item, double Score)>? _global;

    private ModelScores(ModelSource source, List<(int, double, int)>[]? perCustomer, ItemNeighbours? neighbours, List<(int, double)>? global)
    {
        (_source, _perCustomer, _neighbours, _global) = (source, perCustomer, neighbours, global);
    }

    public string Name => ModelKind.Name(_source);

    /// <summary>Scratch space of one thread.</summary>
    internal sealed class Buffer(int items)
    {
        public double[] Scores { get; } = new double[items];
        public int[] Because { get; } = new int[items];
    }

    /// <summary>Reads <paramref name="table"/>; an ALS table's because_sku (the history item behind each score) is kept when <paramref name="schema"/> has it.</summary>
    public static async Task<ModelScores> ReadAsync(ComponentContext context, string table, TableSchema schema, ModelSource source, InteractionData data, CancellationToken cancellationToken)
    {
        var d = context.Warehouse.Dialect;
        var items = InteractionData.Index(data.Items);
        switch (source)
        {
            case ModelSource.Als:
            {
                var customers = InteractionData.Index(data.Customers);
                var lists = Enumerable.Range(0, data.Customers.Length).Select(_ => new List<(int, double, int)>()).ToArray();
                var because = schema.Find("because_sku") is not null ? "CAST(because_sku AS VARCHAR)" : "CAST(NULL AS VARCHAR)";
                var sql = $"SELECT CAST(customer_id AS VARCHAR), CAST(sku AS VARCHAR), CAST(score AS DOUBLE PRECISION), {because} FROM {d.Quote(table)} WHERE score IS NOT NULL";
                await foreach (var row in context.Warehouse.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
                    if (row[0] is string c && customers.TryGetValue(c, out var u) && row[1] is string s && items.TryGetValue(s, out var i))
                        lists[u].Add((i, Convert.ToDouble(row[2], CultureInfo.InvariantCulture), row[3] is string b && items.TryGetValue(b, out var j) ? j : -1));
                foreach (var list in lists) list.Sort((a, b) => b.Item2 != a.Item2 ? b.Item2.CompareTo(a.Item2) : a.Item1.CompareTo(b.Item1));
                return new ModelScores(source, lists, null, null);
            }
            case ModelSource.ItemSimilarity:
            {
                var pairs = new List<(int From, int To, double Score)>();
                var sql = $"SELECT CAST(sku AS VARCHAR), CAST(similar_sku AS VARCHAR), CAST(score AS DOUBLE PRECISION) FROM {d.Quote(table)} WHERE score IS NOT NULL";
                await foreach (var row in context.Warehouse.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
                    if (row[0] is string a && items.TryGetValue(a, out var i) && row[1] is string b && items.TryGetValue(b, out var j))
                        pairs.Add((i, j, Convert.ToDouble(row[2], CultureInfo.InvariantCulture)));
                pairs.Sort((x, y) => x.From != y.From ? x.From.CompareTo(y.From) : y.Score.CompareTo(x.Score));
                var start = new int[data.Items.Length + 1];
                foreach (var pair in pairs) start[pair.From + 1]++;
                for (var i = 0; i < data.Items.Length; i++) start[i + 1] += start[i];
                return new ModelScores(source, null, new ItemNeighbours(start, pairs.Select(x => x.To).ToArray(), pairs.Select(x => x.Score).ToArray(), new int[pairs.Count]), null);
            }
            default:
            {
                var list = new List<(int, double)>();
                var sql = $"SELECT CAST(sku AS VARCHAR), CAST(popularity AS DOUBLE PRECISION) FROM {d.Quote(table)} WHERE popularity IS NOT NULL ORDER BY 2 DESC, {d.ByteOrder("CAST(sku AS VARCHAR)")}";
                await foreach (var row in context.Warehouse.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
                    if (row[0] is string s && items.TryGetValue(s, out var i)) list.Add((i, Convert.ToDouble(row[1], CultureInfo.InvariantCulture)));
                return new ModelScores(source, null, null, list);
            }
        }
    }

    /// <summary>Customer <paramref name="customer"/>'s candidates, best first.</summary>
    public IReadOnlyList<Candidate> Candidates(int customer, ReadOnlySpan<int> owned, ReadOnlySpan<double> weights, Buffer buffer)
    {
        var name = Name;
        if (_perCustomer is not null) return _perCustomer[customer].Select(x => new Candidate(x.Item, x.Score, name, x.Because)).ToList();
        if (_global is not null) return _global.Select(x => new Candidate(x.Item, x.Score, name, -1)).ToList();
        ItemSimilarity.Score(_neighbours!, owned, weights, buffer.Scores, buffer.Because);
        var list = new List<Candidate>();
        for (var i = 0; i < buffer.Scores.Length; i++)
            if (buffer.Scores[i] > 0) list.Add(new Candidate(i, buffer.Scores[i], name, buffer.Because[i]));
        list.Sort((a, b) => b.Score != a.Score ? b.Score.CompareTo(a.Score) : a.Item.CompareTo(b.Item));
        return list;
    }
}
