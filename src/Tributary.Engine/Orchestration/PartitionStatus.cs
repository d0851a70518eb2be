using Tributary.Core.Pipelines;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Orchestration;

/// <summary>Where one partition of one asset stands.</summary>
public enum PartitionState
{
    /// <summary>Materialized, and no input partition it depends on changed since.</summary>
    Materialized,
    /// <summary>Materialized, but an input partition it depends on (through its mapping) was materialized later.</summary>
    Stale,
    /// <summary>The latest attempt failed.</summary>
    Failed,
    /// <summary>Never materialized, or its rows are gone: a run without a partition replaced the table since (without a time column).</summary>
    Missing,
}

/// <summary>One asset partition's state, with its latest materialization, and the partitioned group the asset is in (null when the whole pipeline is partitioned).</summary>
public sealed record AssetPartitionStatus(string Asset, string Partition, PartitionState State, DateTimeOffset? MaterializedAt, string? RunId, string? Group = null);

/// <summary>Partition status of a partitioned pipeline's assets, from the run history.</summary>
public static class PartitionStatus
{
    /// <summary>Every asset × partition of <paramref name="pipeline"/> that exists at <paramref name="now"/>.</summary>
    public static async Task<IReadOnlyList<AssetPartitionStatus>> OfAsync(PipelineSpec pipeline, IRunStore runs, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await PageAsync(pipeline, runs, now, 0, int.MaxValue, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>
    /// The asset × partition rows of the partitions <paramref name="offset"/> to <paramref name="offset"/> +
    /// <paramref name="limit"/> (oldest first; with several partitioned groups, each group's in the pipeline's order of
    /// groups), and how many partitions exist. Only the page is held in memory; counting the rest stops as soon as
    /// <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task<PartitionStatusPage> PageAsync(PipelineSpec pipeline, IRunStore runs, DateTimeOffset now, long offset, int limit, CancellationToken cancellationToken)
    {
        // The pipeline's partitions cover every asset; each partitioned group's only its own.
        List<(string? Group, PartitionsSpec Spec, PartitionScheme Scheme, IReadOnlyList<ComponentSpec> Components)> parts = pipeline.Partitions is { } whole
            ? [(null, whole, new PartitionScheme(whole), pipeline.Components)]
            : [.. pipeline.Groups.Where(g => g.Partitions is not null)
                .Select(g => ((string?)g.Name, g.Partitions!, new PartitionScheme(g.Partitions!), (IReadOnlyList<ComponentSpec>)[.. pipeline.Components.Where(c => g.Assets.Contains(c.Id))]))];
        if (parts.Count == 0) throw new ArgumentException($"pipeline '{pipeline.Name}' has no partitions.");
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var materialized = new Dictionary<(string Asset, string Partition), (DateTimeOffset At, string RunId)>();
        var failed = new Dictionary<(string Asset, string Partition), (DateTimeOffset At, string RunId)>();
        var wholeAt = new Dictionary<string, DateTimeOffset>(StringComparer.Ordinal);
        foreach (var run in (await runs.ListRunsAsync(100_000, pipeline.Name, cancellationToken).ConfigureAwait(false)).OrderBy(r => r.StartedAt))
        {
            if (run.Partition is null)
            {
                if (parts.All(p => p.Spec.Column is not null)) continue;
                // A run without a partition rewrote the table whole: the partitions it had are gone.
                foreach (var m in await runs.GetMaterializationsAsync(run.RunId, null, cancellationToken).ConfigureAwait(false))
                    wholeAt[m.Asset] = m.At;
                continue;
            }
            foreach (var m in await runs.GetMaterializationsAsync(run.RunId, null, cancellationToken).ConfigureAwait(false))
                materialized[(m.Asset, run.Partition!)] = (m.At, run.RunId);
            foreach (var s in (await runs.GetStepsAsync(run.RunId, cancellationToken).ConfigureAwait(false)).Where(s => s.Status == StepStatus.Failed))
                failed[(s.Asset, run.Partition!)] = (s.EndedAt ?? run.StartedAt, run.RunId);
        }
        var page = new List<(int Part, string Key)>();
        var total = 0L;
        for (var i = 0; i < parts.Count; i++)
        {
            foreach (var partition in parts[i].Scheme.Existing(now))
            {
                if (total % 4096 == 0) cancellationToken.ThrowIfCancellationRequested();
                if (total >= offset && page.Count < limit) page.Add((i, partition.Key));
                total++;
            }
        }
        var result = new List<AssetPartitionStatus>();
        foreach (var (part, partition) in page)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var (group, spec, scheme, components) = parts[part];
            foreach (var component in components)
            {
                var key = (component.Id, partition);
                var has = materialized.TryGetValue(key, out var m);
                if (failed.TryGetValue(key, out var f) && (!has || f.At > m.At))
                {
                    result.Add(new AssetPartitionStatus(component.Id, partition, PartitionState.Failed, has ? m.At : null, f.RunId, group));
                    continue;
                }
                if (!has || (spec.Column is null && wholeAt.TryGetValue(component.Id, out var rewritten) && rewritten > m.At))
                {
                    result.Add(new AssetPartitionStatus(component.Id, partition, PartitionState.Missing, null, null, group));
                    continue;
                }
                var stale = component.Inputs.Any(input =>
                    scheme.Map(partition, component.PartitionMappings.GetValueOrDefault(input, PartitionMapping.Identity), now)
                        .Any(upstream => materialized.TryGetValue((input, upstream), out var u) && u.At > m.At));
                result.Add(new AssetPartitionStatus(component.Id, partition, stale ? PartitionState.Stale : PartitionState.Materialized, m.At, m.RunId, group));
            }
        }
        return new PartitionStatusPage(total, offset, result);
    }
}
