using System.Globalization;
using Tributary.Core.Pipelines;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// Whether a pipeline's schedule and sensors are turned off, kept in the run store so that the daemon, the API and the CLI
/// (<c>trib schedules</c>, <c>trib templates add</c>) see one state.
/// </summary>
public static class SchedulePause
{
    /// <summary>True when the pipeline's schedule and sensors are turned off.</summary>
    public static async Task<bool> IsPausedAsync(IOrchestrationStore store, string pipeline, CancellationToken cancellationToken) =>
        await store.GetCursorAsync(Key(pipeline), cancellationToken).ConfigureAwait(false) == "true";

    /// <summary>
    /// Turns a pipeline's schedule and sensors off or on. Resuming does not run the ticks missed while paused: each schedule's
    /// cursor (the pipeline's and each of <paramref name="spec"/>'s groups') starts again at <paramref name="now"/>.
    /// </summary>
    public static async Task SetAsync(IOrchestrationStore store, string pipeline, PipelineSpec? spec, bool paused, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await store.SetCursorAsync(Key(pipeline), paused ? "true" : "false", now, cancellationToken).ConfigureAwait(false);
        if (paused) return;
        var at = now.ToString("O", CultureInfo.InvariantCulture);
        await store.SetCursorAsync($"schedule:{pipeline}", at, now, cancellationToken).ConfigureAwait(false);
        foreach (var g in spec?.Groups.Where(g => g.Schedule is not null) ?? [])
            await store.SetCursorAsync($"schedule:{pipeline}:{g.Name}", at, now, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the pipeline has anything a daemon starts runs from: a schedule or a sensor, its own or a group's.</summary>
    public static bool HasTriggers(PipelineSpec spec) =>
        spec.Schedule is not null || spec.Sensors.Count > 0 || spec.Groups.Any(g => g.Schedule is not null || g.Sensors.Count > 0);

    private static string Key(string pipeline) => $"paused:{pipeline}";
}
