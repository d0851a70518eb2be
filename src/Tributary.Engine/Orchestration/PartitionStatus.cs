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
    /// <summary>Never materialized.</summary>
    Missing,
}

/// <summary>One asset partition's state, with its latest materialization.</summary>
public sealed record AssetPartitionStatus(string Asset, string Partition, PartitionState State, DateTimeOffset? MaterializedAt, string? RunId);

/// <summary>Partition status of a partitioned pipeline's assets, from the run history.</summary>
public static class PartitionStatus
{
    /// <summary>Every asset × partition of <paramref name="pipeline"/> that exists at <paramref name="now"/>.</summary>
    public static async Task<IReadOnlyList<AssetPartitionStatus>> OfAsync(PipelineSpec pipeline, IRunStore runs, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await PageAsync(pipeline, runs, now, 0, int.MaxValue, cancellationToken).ConfigureAwait(false)).Items;

    /// <summary>
    /// The asset × partition rows of the partitions <paramref name="offset"/> to <paramref name="offset"/> +
    /// <paramref name="limit"/> (oldest first), and how many partitions exist. Only the page is held in memory;
    /// counting the rest stops as soon as <paramref name="cancellationToken"/> is cancelled.
    /// </summary>
    public static async Task<PartitionStatusPage> PageAsync(PipelineSpec pipeline, IRunStore runs, DateTimeOffset now, long offset, int limit, CancellationToken cancellationToken)
    {
        // The pipeline's partitions cover every asset; a partitioned group's (the first, if several) only its own.
        var group = pipeline.Partitions is null ? pipeline.Groups.FirstOrDefault(g => g.Partitions is not null) : null;
        var partitions = pipeline.Partitions ?? group?.Partitions ?? throw new ArgumentException($"pipeline '{pipeline.Name}' has no partitions.");
        var components = group is null ? pipeline.Components : pipeline.Components.Where(c => group.Assets.Contains(c.Id)).ToList();
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        var scheme = new PartitionScheme(partitions);
        var materialized = new Dictionary<(string Asset, string Partition), (DateTimeOffset At, string RunId)>();
        var failed = new Dictionary<(string Asset, string Partition), (DateTimeOffset At, string RunId)>();
        foreach (var run in (await runs.ListRunsAsync(100_000, pipeline.Name, cancellationToken).ConfigureAwait(false)).Where(r => r.Partition is not null).OrderBy(r => r.StartedAt))
        {
            foreach (var m in await runs.GetMaterializationsAsync(run.RunId, null, cancellationToken).ConfigureAwait(false))
                materialized[(m.Asset, run.Partition!)] = (m.At, run.RunId);
            foreach (var s in (await runs.GetStepsAsync(run.RunId, cancellationToken).ConfigureAwait(false)).Where(s => s.Status == StepStatus.Failed))
                failed[(s.Asset, run.Partition!)] = (s.EndedAt ?? run.StartedAt, run.RunId);
        }
        var page = new List<string>();
        var total = 0L;
        foreach (var partition in scheme.Existing(now))
        {
            if (total % 4096 == 0) cancellationToken.ThrowIfCancellationRequested();
            if (total >= offset && page.Count < limit) page.Add(partition.Key);
            total++;
        }
        var result = new List<AssetPartitionStatus>();
        foreach (var partition in page)
        {
            cancellationToken.ThrowIfCancellationRequested();
            foreach (var component in components)
            {
                var key = (component.Id, partition);
                var has = materialized.TryGetValue(key, out var m);
                if (failed.TryGetValue(key, out var f) && (!has || f.At > m.At))
                {
                    result.Add(new AssetPartitionStatus(component.Id, partition, PartitionState.Failed, has ? m.At : null, f.RunId));
                    continue;
                }
                if (!has)
                {
                    result.Add(new AssetPartitionStatus(component.Id, partition, PartitionState.Missing, null, null));
                    continue;
                }
                var stale = component.Inputs.Any(input =>
                    scheme.Map(partition, component.PartitionMappings.GetValueOrDefault(input, PartitionMapping.Identity), now)
                        .Any(upstream => materialized.TryGetValue((input, upstream), out var u) && u.At > m.At));
                result.Add(new AssetPartitionStatus(component.Id, partition, stale ? PartitionState.Stale : PartitionState.Materialized, m.At, m.RunId));
            }
        }
        return new PartitionStatusPage(total, offset, result);
    }
}
