using Tributary.Core.Pipelines;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Execution;

/// <summary>
/// Finds the steps of a run that would read a table last built from another definition than the run's pipeline gives
/// it: another pipeline's asset of the same name, or this pipeline's before its SQL, params or upstream changed. Only
/// inputs outside the run's selection are read as they stand; the selected ones are rebuilt by the run itself.
/// </summary>
internal static class ForeignInputs
{
    /// <summary>For each such step, the message it fails with: the table, who built it, and the command that rebuilds it.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> FindAsync(PipelineSpec pipeline, AssetGraph graph, IReadOnlyList<string> order,
        IReadOnlySet<string> selected, IReadOnlyDictionary<string, string?> fingerprints, RunRequest request, IRunStore store, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        var outside = order.SelectMany(graph.Upstream).Where(u => !selected.Contains(u)).ToHashSet(StringComparer.Ordinal);
        if (outside.Count == 0) return result;
        var latest = (await store.GetLatestMaterializationsAsync(cancellationToken).ConfigureAwait(false))
            .Where(m => outside.Contains(m.Asset)).ToDictionary(m => m.Asset, StringComparer.Ordinal);
        var specs = pipeline.Components.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var builders = new Dictionary<string, RunRecord?>(StringComparer.Ordinal);
        foreach (var id in order)
            foreach (var input in graph.Upstream(id).Where(outside.Contains))
            {
                // A table with no fingerprint (built before they were kept, or by a spec made in code) cannot be judged.
                if (!latest.TryGetValue(input, out var built) || built.Fingerprint is null || fingerprints.GetValueOrDefault(input) is not { } expected
                    || built.Fingerprint == expected) continue;
                if (!builders.TryGetValue(built.RunId, out var run))
                    builders[built.RunId] = run = await store.GetRunAsync(built.RunId, cancellationToken).ConfigureAwait(false);
                result[id] = Message(pipeline, specs[input], id, built, run, request);
                break;
            }
        return result;
    }

    private static string Message(PipelineSpec pipeline, ComponentSpec input, string step, MaterializationRecord built, RunRecord? run, RunRequest request)
    {
        var file = input.Location.File;
        var at = input.Location with { File = Path.IsPathRooted(file) ? Path.GetRelativePath(request.ProjectDirectory, file) : file };
        var rebuild = $"trib run {pipeline.Name} --select +{step}" + (request.Partition is { } key ? $" --partition {key}" : "");
        var when = built.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", System.Globalization.CultureInfo.InvariantCulture);
        return run is not null && run.Pipeline != pipeline.Name
            ? $"input '{input.Id}' was last built by pipeline '{run.Pipeline}' (run {built.RunId}, {when}), which defines it differently from " +
              $"this pipeline ({at}), so '{step}' would read the other pipeline's table. Rebuild it with this pipeline's definition first: {rebuild}; " +
              $"or, to keep both, give one of the two assets another id."
            : $"input '{input.Id}' was last built (run {built.RunId}, {when}) from another definition than this pipeline's ({at}): its type, parameters, " +
              $"params or something upstream of it changed since, so '{step}' would read a stale table. Rebuild it first: {rebuild}.";
    }
}
