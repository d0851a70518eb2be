using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tributary.Core.Pipelines;
using Tributary.Engine.Orchestration;

namespace Tributary.Server.Api;

/// <summary><c>/api/pipelines</c>, <c>/api/components</c> and <c>/api/ticks</c>: what the project has and what its schedules and sensors did.</summary>
internal static class PipelinesApi
{
    public static void Map(RouteGroupBuilder api, TributaryProject project, Action<string> log)
    {
        api.MapGet("/pipelines", () => project.PipelineNames().Select(name =>
        {
            try
            {
                var p = project.LoadPipeline(name, new Dictionary<string, string>(), null);
                var next = p.Schedule is null ? null : new CronSchedule(p.Schedule).Next(DateTimeOffset.UtcNow);
                return (object)new
                {
                    name, p.Description, components = p.Components.Count, schedule = p.Schedule?.Cron, timezone = p.Schedule?.Timezone, next_tick = next,
                    partitions = p.Partitions?.Type.ToString().ToLowerInvariant(), sensors = p.Sensors.Select(s => s.Type),
                };
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log($"pipeline {name}: {e.Message}");
                return new { name, error = e.Message };
            }
        }).ToList());

        api.MapGet("/pipelines/{name}/partitions", async (string name, CancellationToken ct) =>
        {
            var p = project.LoadPipeline(name, new Dictionary<string, string>(), null);
            if (p.Partitions is null) return Results.NotFound(new { error = $"pipeline '{name}' has no partitions" });
            return Results.Ok(await PartitionStatus.OfAsync(p, project.Runs, DateTimeOffset.UtcNow, ct).ConfigureAwait(false));
        });

        api.MapGet("/components", () => project.Catalog.Types.Select(c => new { type = c.TypeName, description = c.Description }));

        api.MapGet("/ticks", async (string? pipeline, int? limit, CancellationToken ct) =>
            await project.Orchestration.ListTicksAsync(pipeline, Math.Clamp(limit ?? 100, 1, 1000), ct).ConfigureAwait(false));
    }
}
