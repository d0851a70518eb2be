namespace Tributary.Server.Contracts;

/// <summary>A backfill request (<c>POST /api/backfills</c>): partitions from..to, inclusive.</summary>
/// <param name="Pipeline">The partitioned pipeline.</param>
/// <param name="From">First partition key.</param>
/// <param name="To">Last partition key.</param>
/// <param name="Concurrency">Partitions running at once; default 2.</param>
/// <param name="Params">Template param overrides, name to value.</param>
/// <param name="Group">A partitioned group of the pipeline: its partitions are backfilled, each a run of the group's assets only. Null: the pipeline's partitions.</param>
public sealed record BackfillSubmission(string Pipeline, string From, string To, int? Concurrency = null, IReadOnlyDictionary<string, string>? Params = null, string? Group = null);
