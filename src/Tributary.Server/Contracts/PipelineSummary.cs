using Tributary.Core.Pipelines;

namespace Tributary.Server.Contracts;

/// <summary>One of the project's pipelines with its schedule and sensors (<c>GET /api/pipelines</c>).</summary>
/// <param name="Name">The pipeline's name (its file name).</param>
/// <param name="Description">Its description, when it loads and has one.</param>
/// <param name="Components">How many components it has; null when it does not load.</param>
/// <param name="Schedule">Cron expression of its schedule, if any.</param>
/// <param name="Timezone">The schedule's timezone.</param>
/// <param name="NextTick">When the schedule fires next.</param>
/// <param name="Partitions">How it is partitioned, if it is.</param>
/// <param name="Sensors">Types of its sensors.</param>
/// <param name="Paused">Whether its schedule and sensors are paused; null when it does not load.</param>
/// <param name="Error">Why it does not load, when it does not; every other member but the name is then empty.</param>
public sealed record PipelineSummary(string Name, string? Description, int? Components, string? Schedule, string? Timezone, DateTimeOffset? NextTick,
    PartitionGranularity? Partitions, IReadOnlyList<string> Sensors, bool? Paused, string? Error);
