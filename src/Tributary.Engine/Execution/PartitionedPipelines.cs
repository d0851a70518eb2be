using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;

namespace Tributary.Engine.Execution;

/// <summary>
/// Loads a pipeline for one of its partitions: its partition variables come from the key, parsed by the scheme of the
/// run: the pipeline's partitions, or those of the partitioned group holding every selected asset.
/// </summary>
public static class PartitionedPipelines
{
    /// <summary>
    /// <paramref name="pipeline"/> loaded by <paramref name="load"/> (name, params, partition variables) for
    /// <paramref name="partition"/> of the run of <paramref name="selection"/>, or without partition variables when it is null.
    /// </summary>
    /// <exception cref="InvalidOperationException">The run cannot be partitioned (see <see cref="SchemeOf"/>).</exception>
    /// <exception cref="ArgumentException">The key is not a partition of the scheme.</exception>
    /// <exception cref="WholeRunRefusedException">The run has no partition, but the pipeline's partitions cannot run whole (see <see cref="CheckWholeRun"/>).</exception>
    public static PipelineSpec Load(Func<string, IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>?, PipelineSpec> load,
        string pipeline, IReadOnlyDictionary<string, string> parameters, string? partition, DateTimeOffset now, string? selection = null)
    {
        var plain = load(pipeline, parameters, null);
        if (partition is null)
        {
            CheckWholeRun(plain, now);
            return plain;
        }
        return load(pipeline, parameters, new PartitionScheme(SchemeOf(plain, selection, partition)).Parse(partition, now).Variables);
    }

    /// <summary>
    /// Refuses a run without a partition of a pipeline partitioned as a whole, unless its partitions declare a time
    /// <c>column</c>: such a run would have the first partition's <c>${partition.*}</c> values and replace every
    /// partition of each asset with that one's rows. With a column its values span the whole history and the partitions
    /// replace their windows of it afterwards. Partitioned groups always run whole without a partition (the whole history).
    /// </summary>
    /// <exception cref="WholeRunRefusedException">The run needs a partition; the message says which and how.</exception>
    public static void CheckWholeRun(PipelineSpec pipeline, DateTimeOffset now)
    {
        if (pipeline.Partitions is not { } partitions) return;
        var scheme = new PartitionScheme(partitions);
        if (scheme.IsTimeBased && partitions.Column is not null) return;
        var all = scheme.All(now);
        var latest = !scheme.IsTimeBased ? $"--partition KEY, one of {string.Join(", ", all.Take(10).Select(k => k.Key))}{(all.Count > 10 ? ", …" : "")}"
            : all.Count > 0 ? $"--partition {all[^1].Key}, the latest complete one" : "--partition KEY once its first window has ended";
        var backfill = all.Count > 1 ? $", or backfill a range: trib backfill {pipeline.Name} --from {all[0].Key} --to {all[^1].Key}" : "";
        var column = scheme.IsTimeBased ? " To run it whole, declare the time column every asset has in its partitions ('column:')." : "";
        throw new WholeRunRefusedException(
            $"pipeline '{pipeline.Name}' is partitioned ({partitions.Type.ToString().ToLowerInvariant()}), so a run needs a partition: without one it would " +
            $"replace every partition of its assets with one partition's rows. Pass a partition ({latest}){backfill}.{column}");
    }

    /// <summary>
    /// The partitions a run of <paramref name="selection"/> with <paramref name="partition"/> uses: the pipeline's, else
    /// those of the one partitioned group that holds every selected asset.
    /// </summary>
    /// <exception cref="InvalidOperationException">Nothing is partitioned, or the selection leaves the partitioned group.</exception>
    public static PartitionsSpec SchemeOf(PipelineSpec pipeline, string? selection, string partition)
    {
        if (pipeline.Partitions is { } whole) return whole;
        var partitioned = pipeline.Groups.Where(g => g.Partitions is not null).ToList();
        if (partitioned.Count == 0) throw new InvalidOperationException($"pipeline '{pipeline.Name}' has no partitions, but the run asks for '{partition}'.");
        var selected = AssetSelection.Resolve(AssetGraph.Of(pipeline), selection);
        return partitioned.FirstOrDefault(g => selected.All(g.Assets.Contains))?.Partitions
            ?? throw new InvalidOperationException(
                $"partition '{partition}' of pipeline '{pipeline.Name}' is a partition of a group; a partitioned run runs assets of one partitioned group only " +
                $"({string.Join(", ", partitioned.Select(g => g.Selection))}), and the other groups read all its partitions. Select the group with --select group:NAME.");
    }

    /// <summary>
    /// The partition of the tables a partitioned run writes: its key, and with a time column declared, its window, so that
    /// rows a run without a partition wrote in that window are replaced too.
    /// </summary>
    public static TablePartition TablePartitionOf(PipelineSpec pipeline, string? selection, string partition, DateTimeOffset now)
    {
        var scheme = SchemeOf(pipeline, selection, partition);
        var key = new PartitionScheme(scheme).Parse(partition, now);
        return new TablePartition(PartitionedWarehouse.Column, partition)
        {
            Window = scheme.Column is { } column && key is { Start: { } start, End: { } end } ? new PartitionWindow(column, DateTime.SpecifyKind(start.UtcDateTime, DateTimeKind.Unspecified), DateTime.SpecifyKind(end.UtcDateTime, DateTimeKind.Unspecified)) : null,
        };
    }
}
