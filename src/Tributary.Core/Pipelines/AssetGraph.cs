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

    /// <summary>Builds the graph of a pipeline, with its groups.</summary>
    public static AssetGraph Of(PipelineSpec pipeline) => new(pipeline.Components.Select(c => (c.Id, c.Inputs)))
    {
        Groups = pipeline.Groups.ToDictionary(g => g.Name, g => g.Assets, StringComparer.Ordinal),
    };

    /// <summary>The prefix of a selection term that names a group: <c>group:NAME</c>.</summary>
    public const string GroupPrefix = "group:";

    /// <summary>The pipeline's groups by name, each with its asset ids.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Groups { get; init; } = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>Node ids in file order.</summary>
    public IReadOnlyList<string> Nodes { get; }

    /// <summary>Direct inputs of a node.</summary>
    public IReadOnlyList<string> Upstream(string id) => _upstream[id];

    /// <summary>Direct consumers of a node.</summary>
    public IReadOnlyList<string> Downstream(string id) => _downstream[id];

    /// <summary>One cycle as a closed path (a, b, a), or null when the graph is acyclic.</summary>
    public IReadOnlyList<string>? FindCycle()
    {
        // Depth-first with an explicit stack: a chain of thousands of components must not overflow the call stack.
        var state = new Dictionary<string, int>(StringComparer.Ordinal); // 1 on the path, 2 done
        var path = new List<string>();
        var frames = new Stack<(string Node, int Next)>();
        foreach (var start in Nodes)
        {
            if (state.ContainsKey(start)) continue;
            Enter(start);
            while (frames.TryPop(out var frame))
            {
                var ups = _upstream[frame.Node];
                if (frame.Next == ups.Count)
                {
                    path.RemoveAt(path.Count - 1);
                    state[frame.Node] = 2;
                    continue;
                }
                frames.Push((frame.Node, frame.Next + 1));
                var up = ups[frame.Next];
                if (!state.TryGetValue(up, out var s)) Enter(up);
                else if (s == 1) return [.. path[path.IndexOf(up)..], up];
            }
        }
        return null;

        void Enter(string node)
        {
            state[node] = 1;
            path.Add(node);
            frames.Push((node, 0));
        }
    }

    /// <summary>Every node with all its inputs before it; ties keep file order. Throws on a cycle.</summary>
    public IReadOnlyList<string> TopologicalOrder()
    {
        if (FindCycle() is { } cycle) throw new InvalidOperationException($"Cycle: {string.Join(" -> ", cycle)}");
        var done = new HashSet<string>(StringComparer.Ordinal);
        var order = new List<string>();
        var frames = new Stack<(string Node, int Next)>();
        foreach (var n in Nodes)
        {
            if (!done.Add(n)) continue;
            frames.Push((n, 0));
            // Post-order: a node after all its inputs.
            while (frames.TryPop(out var frame))
            {
                var ups = _upstream[frame.Node];
                if (frame.Next == ups.Count)
                {
                    order.Add(frame.Node);
                    continue;
                }
                frames.Push((frame.Node, frame.Next + 1));
                if (done.Add(ups[frame.Next])) frames.Push((ups[frame.Next], 0));
            }
        }
        return order;
    }

    /// <summary>Nodes upstream of <paramref name="id"/>, transitively, excluding it.</summary>
    public IReadOnlySet<string> Ancestors(string id) => Walk(id, _upstream);

    /// <summary>Nodes downstream of <paramref name="id"/>, transitively, excluding it.</summary>
    public IReadOnlySet<string> Descendants(string id) => Walk(id, _downstream.ToDictionary(p => p.Key, p => (IReadOnlyList<string>)p.Value));

    private static HashSet<string> Walk(string id, Dictionary<string, IReadOnlyList<string>> edges)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var queue = new Queue<string>([id]);
        while (queue.TryDequeue(out var n))
            foreach (var next in edges[n])
                if (seen.Add(next)) queue.Enqueue(next);
        return seen;
    }
}
