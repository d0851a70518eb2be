namespace Tributary.Core.Pipelines;

/// <summary>The pipeline's assets and their dependencies; one node per component id.</summary>
public sealed class AssetGraph
{
    private readonly Dictionary<string, IReadOnlyList<string>> _upstream;
    private readonly Dictionary<string, List<string>> _downstream;

    /// <summary>Builds the graph from (id, inputs) pairs; inputs naming no node are ignored here (the loader reports them).</summary>
    public AssetGraph(IEnumerable<(string Id, IReadOnlyList<string> Inputs)> nodes)
    {
        var list = nodes.ToList();
        Nodes = list.Select(n => n.Id).ToList();
        var known = Nodes.ToHashSet(StringComparer.Ordinal);
        _upstream = list.ToDictionary(n => n.Id, n => (IReadOnlyList<string>)n.Inputs.Where(known.Contains).Distinct().ToList());
        _downstream = Nodes.ToDictionary(n => n, _ => new List<string>());
        foreach (var (id, ups) in _upstream)
            foreach (var u in ups) _downstream[u].Add(id);
    }

    /// <summary>Builds the graph of a pipeline.</summary>
    public static AssetGraph Of(PipelineSpec pipeline) => new(pipeline.Components.Select(c => (c.Id, c.Inputs)));

    /// <summary>Node ids in file order.</summary>
    public IReadOnlyList<string> Nodes { get; }

    /// <summary>Direct inputs of a node.</summary>
    public IReadOnlyList<string> Upstream(string id) => _upstream[id];

    /// <summary>Direct consumers of a node.</summary>
    public IReadOnlyList<string> Downstream(string id) => _downstream[id];

    /// <summary>One cycle as a closed path (a, b, a), or null when the graph is acyclic.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the stack, 2 done
        var stack = new List<string>();
        foreach (var start in Nodes)
            if (Visit(start) is { } cycle) return cycle;
        return null;

        List<string>? Visit(string node)
        {
            if (state.TryGetValue(node, out var s))
                return s == 1 ? [.. stack[stack.IndexOf(node)..], node] : null;
            state[node] = 1;
            stack.Add(node);
            foreach (var up in _upstream[node])
                if (Visit(up) is { } c) return c;
            stack.RemoveAt(stack.Count - 1);
            state[node] = 2;
            return null;
        }
    }

    /// <summary>Every node with all its inputs before it; ties keep file order. Throws on a cycle.</summary>
    public IReadOnlyList<string> TopologicalOrder()
    {
        if (FindCycle() is { } cycle) throw new InvalidOperationException($"Cycle: {string.Join(" -> ", cycle)}");
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>();
        foreach (var n in Nodes) Add(n);
        return order;

        void Add(string n)
        {
            if (!done.Add(n)) return;
            foreach (var u in _upstream[n]) Add(u);
            order.Add(n);
        }
    }

    /// <summary>Nodes upstream of <paramref name="id"/>, transitively, excluding it.</summary>
    public IReadOnlySet<string> Ancestors(string id) => Walk(id, _upstream);

    /// <summary>Nodes downstream of <paramref name="id"/>, transitively, excluding it.</summary>
    public IReadOnlySet<string> Descendants(string id) => Walk(id, _downstream.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value));

    private static HashSet<string> Walk(string id, IReadOnlyDictionary<string, IReadOnlyList<string>> edges)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([id]);
        while (queue.TryDequeue(out var n))
            foreach (var next in edges[n])
                if (seen.Add(next)) queue.Enqueue(next);
        return seen;
    }
}
