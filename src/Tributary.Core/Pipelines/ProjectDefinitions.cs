using Tributary.Core.Diagnostics;

namespace Tributary.Core.Pipelines;

/// <summary>
/// The pipelines of one project side by side: asset ids name tables in one warehouse, so an id that two pipelines define
/// differently is one table that each overwrites with its own contents.
/// </summary>
public static class ProjectDefinitions
{
    /// <summary>
    /// A warning for each asset whose own definition (<see cref="ComponentSpec.Definition"/>) differs between pipelines,
    /// at the later file's component, naming the first file that defines it otherwise. Alike definitions share a table
    /// and give none; an asset that differs only upstream is left to the warning on the upstream asset.
    /// </summary>
    /// <param name="pipelines">The project's valid pipelines.</param>
    /// <param name="fileName">How a file is named in a message (e.g. relative to the current folder); as loaded when null.</param>
    public static IReadOnlyList<Diagnostic> Compare(IReadOnlyList<PipelineSpec> pipelines, Func<string, string>? fileName = null)
    {
        var first = new Dictionary<string, List<(PipelineSpec Pipeline, ComponentSpec Component)>>(StringComparer.Ordinal);
        var warnings = new List<Diagnostic>();
        foreach (var pipeline in pipelines)
            foreach (var component in pipeline.Components.Where(c => c.Definition is not null))
            {
                if (!first.TryGetValue(component.Id, out var seen)) first[component.Id] = seen = [];
                if (seen.Count > 0 && seen.All(s => s.Component.Definition != component.Definition))
                {
                    var (other, at) = seen[0];
                    warnings.Add(new Diagnostic(DiagnosticCodes.SharedAssetDefinedTwice, component.Location,
                        $"asset '{component.Id}' of pipeline '{pipeline.Name}' is defined differently in {(fileName ?? (f => f))(other.File)}:{at.Location.Line}:{at.Location.Column} " +
                        $"(pipeline '{other.Name}'), and both write table '{component.Id}': whichever runs last replaces the other's, and a partial run of the " +
                        "other then fails until it rebuilds it.",
                        "Give one of them another id, or define both alike.") { IsWarning = true });
                }
                if (seen.All(s => s.Component.Definition != component.Definition)) seen.Add((pipeline, component));
            }
        return warnings;
    }
}
