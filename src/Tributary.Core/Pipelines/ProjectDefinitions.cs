using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Yaml;

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

    /// <summary>
    /// An error for each file that declares a pipeline name an earlier file (in the given order) declares too, at its
    /// <c>pipeline:</c>, naming the earlier file: runs, schedules and run history would mix two pipelines under one name.
    /// Files with errors of their own count too, by the name they declare.
    /// </summary>
    /// <param name="files">The project's pipeline files, loaded.</param>
    /// <param name="fileName">How a file is named in a message (e.g. relative to the current folder); as loaded when null.</param>
    public static IReadOnlyList<Diagnostic> DuplicateNames(IReadOnlyList<LoadResult> files, Func<string, string>? fileName = null)
    {
        var first = new Dictionary<string, YamlScalar>(StringComparer.Ordinal);
        var errors = new List<Diagnostic>();
        foreach (var name in files.Select(f => f.DeclaredName).OfType<YamlScalar>())
        {
            if (!first.TryAdd(name.Value, name))
            {
                var other = first[name.Value].Location;
                errors.Add(new Diagnostic(DiagnosticCodes.DuplicatePipeline, name.Location,
                    $"pipeline '{name.Value}' is also declared in {(fileName ?? (f => f))(other.File)}:{other.Line}:{other.Column}: a project's pipeline names must be unique.",
                    Path.GetFileNameWithoutExtension(name.Location.File) is var stem && stem != name.Value
                        ? $"Give this file its own name, its file name ('pipeline: {stem}'), or remove one of the two files."
                        : "Remove one of the two files, or rename it and its 'pipeline:' alike."));
            }
        }
        return errors;
    }
}
