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
    public static PipelineSpec Load(Func<string, IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>?, PipelineSpec> load,
        string pipeline, IReadOnlyDictionary<string, string> parameters, string? partition, DateTimeOffset now, string? selection = null)
    {
        if (partition is null) return load(pipeline, parameters, null);
        var plain = load(pipeline, parameters, null);
        return load(pipeline, parameters, new PartitionScheme(SchemeOf(plain, selection, partition)).Parse(partition, now).Variables);
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
