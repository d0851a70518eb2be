namespace Tributary.Engine.Runs;

/// <summary>
/// A run that a live process is executing, which holds its pipeline (and partition) so that no second run of it starts.
/// </summary>
/// <param name="RunId">The run.</param>
/// <param name="Pipeline">Its pipeline.</param>
/// <param name="Partition">Its partition; null for a run of the whole pipeline.</param>
/// <param name="Trigger">What started it (cli, api, schedule, sensor, backfill).</param>
/// <param name="ProcessId">The process executing it.</param>
/// <param name="Host">The machine of that process; null on the SQLite store, whose file is one machine's.</param>
/// <param name="StartedAt">When it started.</param>
public sealed record LiveRun(string RunId, string Pipeline, string? Partition, string Trigger, int ProcessId, string? Host, DateTimeOffset StartedAt);
