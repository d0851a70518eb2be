using Tributary.Core.Pipelines;

namespace Tributary.Server.Contracts;

/// <summary>One of the project's pipelines with its schedule and sensors (<c>GET /api/pipelines</c>).</summary>
/// <param name="Name">The pipeline's name (its file name).</param>
/// <param name="Description">Its description, when it loads and has one.</param>
/// <param name="Components">How many components it has; null when it does not load.</param>
/// <param name="Schedule">Cron expression of its schedule, if any.</param>
/// <param name="Timezone">The schedule's timezone.</param>
/// <param name="NextTick">When the schedule fires next.</param>
/// <param name="Partitions">How the whole pipeline is partitioned, if it is (not when only some of its groups are: see <paramref name="PartitionedGroups"/>).</param>
/// <param name="Sensors">Its sensors (type and what each watches, e.g. <c>freshness of orders, max age 1h</c>), then its groups' as <c>group: sensor</c> (a group's sensor runs that group only).</param>
/// <param name="Paused">Whether its schedule and sensors are paused; null when it does not load.</param>
/// <param name="Error">Why it does not load, when it does not; every other member but the name is then empty.</param>
/// <param name="PartitionedGroups">Its groups that have partitions of their own, each with how it is partitioned (a backfill of one names the group).</param>
/// <param name="GroupSchedules">Its groups that have a schedule of their own, each with its cron and next tick, in the file's order.</param>
/// <param name="LastRun">Its newest run (whatever its trigger, partition or state, a running one too); null when it never ran.</param>
public sealed record PipelineSummary(string Name, string? Description, int? Components, string? Schedule, string? Timezone, DateTimeOffset? NextTick,
    PartitionGranularity? Partitions, IReadOnlyList<string> Sensors, bool? Paused, string? Error, IReadOnlyList<GroupPartitions> PartitionedGroups,
    IReadOnlyList<GroupSchedule> GroupSchedules, RunView? LastRun = null)
{
    /// <summary>
    /// The project's reporting time zone (tributary.yaml's <c>timezone:</c>, an IANA name), whatever the pipeline: the zone
    /// its results count days in, and that of its schedules and partitions when they name none.
    /// </summary>
    public string ReportingTimezone { get; init; } = "UTC";

    /// <summary>
    /// The tables it writes that another pipeline of the project defines differently, so that whichever runs last replaces the
    /// other's rows: each as <c>trib validate</c>'s TRIB0209 line, at this pipeline's step, naming the other pipeline's file:line:col.
    /// Empty when none.
    /// </summary>
    public IReadOnlyList<string> TableConflicts { get; init; } = [];
}

/// <summary>A group of a pipeline partitioned on its own.</summary>
/// <param name="Group">The group's name.</param>
/// <param name="Partitions">How it is partitioned.</param>
public sealed record GroupPartitions(string Group, PartitionGranularity Partitions);

/// <summary>A group of a pipeline scheduled on its own (<c>trib run PIPELINE --select group:NAME</c> at each tick).</summary>
/// <param name="Group">The group's name.</param>
/// <param name="Schedule">Cron expression of its schedule.</param>
/// <param name="Timezone">The schedule's timezone.</param>
/// <param name="NextTick">When the schedule fires next.</param>
public sealed record GroupSchedule(string Group, string Schedule, string Timezone, DateTimeOffset? NextTick);
