using Tributary.Engine.Orchestration;

namespace Tributary.Server.Contracts;

/// <summary>One page of a partitioned pipeline's partitions, oldest first (with several partitioned groups, each group's in turn), with every asset's state in each.</summary>
/// <param name="Total">How many partitions the pipeline has now (of every partitioned group).</param>
/// <param name="Offset">Index of the page's first partition.</param>
/// <param name="Limit">The most partitions a page holds.</param>
/// <param name="Items">One item per asset and partition on the page.</param>
public sealed record PartitionPage(long Total, long Offset, int Limit, IReadOnlyList<AssetPartitionView> Items);

/// <summary>Where one partition of one asset stands.</summary>
/// <param name="Asset">The asset.</param>
/// <param name="Partition">The partition key.</param>
/// <param name="State">Materialized, stale, failed or missing.</param>
/// <param name="MaterializedAt">Its latest materialization, if any.</param>
/// <param name="RunId">The run of its latest materialization or attempt.</param>
/// <param name="Group">The partitioned group of the asset; null when the whole pipeline is partitioned.</param>
public sealed record AssetPartitionView(string Asset, string Partition, PartitionState State, DateTimeOffset? MaterializedAt, string? RunId, string? Group);
