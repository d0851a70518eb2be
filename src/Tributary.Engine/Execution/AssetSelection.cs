using Tributary.Core.Components;
using Tributary.Core.Pipelines;

namespace Tributary.Engine.Execution;

/// <summary>
/// Parses <c>--select</c>: comma-separated asset ids, each optionally prefixed with <c>+</c> (and everything
/// upstream) and/or suffixed with <c>+</c> (and everything downstream), as in dbt and Dagster; <c>group:NAME</c>
/// selects a group's assets (with <c>+</c> before or after, their upstream or downstream too).
/// </summary>
public static class AssetSelection
{
    /// <summary>The selected ids in graph order; every asset when <paramref name="expression"/> is empty.</summary>
    /// <exception cref="ArgumentException">A term names no asset; the message suggests the closest.</exception>
    public static IReadOnlySet<string> Resolve(AssetGraph graph, string? expression)
    {
        if (string.IsNullOrWhiteSpace(expression)) return graph.Nodes.ToHashSet(StringComparer.Ordinal);
        var selected = new HashSet<string>(StringComparer.Ordinal);
        foreach (var raw in expression.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var up = raw.StartsWith('+');
            var down = raw.EndsWith('+');
            var id = raw.Trim('+');
            if (id.StartsWith(AssetGraph.GroupPrefix, StringComparison.Ordinal))
            {
                var name = id[AssetGraph.GroupPrefix.Length..];
                if (!graph.Groups.TryGetValue(name, out var members))
                    throw new ArgumentException(graph.Groups.Count == 0
                        ? $"--select: '{name}' is not a group; this pipeline has no groups."
                        : $"--select: '{name}' is not a group of this pipeline.{NameSuggestion.Format(name, graph.Groups.Keys)} Groups: {string.Join(", ", graph.Groups.Keys)}.");
                foreach (var member in members) Add(member);
                continue;
            }
            if (!graph.Nodes.Contains(id))
                throw new ArgumentException($"--select: '{id}' is not an asset of this pipeline.{NameSuggestion.Format(id, graph.Nodes)} Assets: {string.Join(", ", graph.Nodes)}.");
            Add(id);

            void Add(string asset)
            {
                selected.Add(asset);
                if (up) selected.UnionWith(graph.Ancestors(asset));
                if (down) selected.UnionWith(graph.Descendants(asset));
            }
        }
        return selected;
    }
}
