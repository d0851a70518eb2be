namespace Tributary.Engine.Orchestration;

/// <summary>One page of <see cref="PartitionStatus"/>: the rows of the partitions from <paramref name="Offset"/> on, and how many partitions exist.</summary>
/// <param name="Total">Partitions of the pipeline (each has one row per asset).</param>
/// <param name="Offset">Index of the page's first partition, oldest first.</param>
/// <param name="Items">One row per asset × partition of the page.</param>
public sealed record PartitionStatusPage(long Total, long Offset, IReadOnlyList<AssetPartitionStatus> Items);
