namespace Tributary.Server.Contracts;

/// <summary>The answer to a backfill request (follow it at <c>/api/backfills/{backfill_id}</c>).</summary>
/// <param name="BackfillId">The backfill.</param>
public sealed record BackfillStarted(string BackfillId);
