using Tributary.Core.Components;
using Tributary.Core.Pipelines;

namespace Tributary.Engine.Execution;

/// <summary>
/// Parses <c>--select</c>: comma-separated asset ids, each optionally prefixed with <c>+</c> (and everything
/// upstream) and/or suffixed with <c>+</c> (and everything downstream), as in dbt and Dagster.
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
            if (!graph.Nodes.Contains(id))
                throw new ArgumentException($"--select: '{id}' is not an asset of this pipeline.{NameSuggestion.Format(id, graph.Nodes)} Assets: {string.Join(", ", graph.Nodes)}.");
            selected.Add(id);
            if (up) selected.UnionWith(graph.Ancestors(id));
            if (down) selected.UnionWith(graph.Descendants(id));
        }
        return selected;
    }
}
