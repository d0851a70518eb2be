using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tributary.Core.Pipelines;
using Tributary.Engine.Orchestration;

namespace Tributary.Server.Api;

/// <summary><c>/api/pipelines</c>, <c>/api/components</c> and <c>/api/ticks</c>: what the project has and what its schedules and sensors did.</summary>
internal static class PipelinesApi
{
    private const int MaxPartitionsPerPage = 1000;

    public static void Map(RouteGroupBuilder api, TributaryProject project, Daemon daemon, Action<string> log)
    {
        api.MapGet("/pipelines", async (CancellationToken ct) =>
        {
            var list = new List<object>();
            foreach (var name in project.PipelineNames())
            {
                ct.ThrowIfCancellationRequested();
                try
                {
                    var p = project.LoadPipeline(name, new Dictionary<string, string>(), null);
                    var next = p.Schedule is null ? null : new CronSchedule(p.Schedule).Next(DateTimeOffset.UtcNow);
                    list.Add(new
                    {
                        name, p.Description, components = p.Components.Count, schedule = p.Schedule?.Cron, timezone = p.Schedule?.Timezone, next_tick = next,
                        partitions = p.Partitions?.Type.ToString().ToLowerInvariant(), sensors = p.Sensors.Select(s => s.Type),
                        paused = await daemon.IsPausedAsync(name, ct).ConfigureAwait(false),
                    });
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    log($"pipeline {name}: {e.Message}");
                    list.Add(new { name, error = e.Message });
                }
            }
            return list;
        });

        // One page of partitions (oldest first) with every asset's state in each, and how many partitions there are.
        api.MapGet("/pipelines/{name}/partitions", async (string name, long? offset, int? limit, CancellationToken ct) =>
        {
            if (!project.PipelineNames().Contains(name)) return ApiProblems.NotFound($"no pipeline '{name}'");
            if (offset is < 0) return ApiProblems.BadRequest($"offset must be 0 or more, not {offset}");
            if (limit is < 1 or > MaxPartitionsPerPage) return ApiProblems.BadRequest($"limit must be 1 to {MaxPartitionsPerPage}, not {limit}");
            var p = project.LoadPipeline(name, new Dictionary<string, string>(), null);
            if (p.Partitions is null) return ApiProblems.NotFound($"pipeline '{name}' has no partitions");
            var page = await PartitionStatus.PageAsync(p, project.Runs, DateTimeOffset.UtcNow, offset ?? 0, limit ?? 100, ct).ConfigureAwait(false);
            return Results.Ok(new { total = page.Total, offset = page.Offset, limit = limit ?? 100, items = page.Items });
        });

        // The next few ticks of a cron expression in a timezone, for the schedule editor.
        api.MapGet("/cron/next", (string expression, string? timezone, int? count) =>
        {
            try
            {
                var schedule = new CronSchedule(new ScheduleSpec(expression, timezone ?? "UTC", new Core.Diagnostics.SourceLocation("api", 1, 1)));
                var ticks = new List<DateTimeOffset>();
                var at = DateTimeOffset.UtcNow;
                for (var i = 0; i < Math.Clamp(count ?? 5, 1, 20) && schedule.Next(at) is { } next; i++) ticks.Add(at = next);
                return Results.Ok(ticks);
            }
            catch (Exception e) when (e is Cronos.CronFormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                return ApiProblems.BadRequest(e.Message);
            }
        });

        api.MapPost("/pipelines/{name}/pause", async (string name, CancellationToken ct) =>
        {
            await daemon.SetPausedAsync(name, true, ct).ConfigureAwait(false);
            return Results.Ok(new { name, paused = true });
        });
        api.MapPost("/pipelines/{name}/resume", async (string name, CancellationToken ct) =>
        {
            await daemon.SetPausedAsync(name, false, ct).ConfigureAwait(false);
            return Results.Ok(new { name, paused = false });
        });

        // Where an asset comes from and what reads it, across the project's pipelines; and its pipeline's partitions.
        api.MapGet("/lineage/{asset}", (string asset, CancellationToken ct) =>
        {
            var result = new List<object>();
            foreach (var name in project.PipelineNames())
            {
                ct.ThrowIfCancellationRequested();
                Core.Pipelines.PipelineSpec p;
                try
                {
                    p = project.LoadPipeline(name, new Dictionary<string, string>(), null);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    continue;
                }
                if (p.Components.FirstOrDefault(c => c.Id == asset) is not { } component) continue;
                result.Add(new
                {
                    pipeline = name, type = component.Type, upstream = component.Inputs,
                    downstream = p.Components.Where(c => c.Inputs.Contains(asset)).Select(c => c.Id), partitioned = p.Partitions is not null,
                });
            }
            return result;
        });

        api.MapGet("/components", () => project.Catalog.Types.Select(c => new { type = c.TypeName, description = c.Description }));

        api.MapGet("/ticks", async (string? pipeline, int? limit, CancellationToken ct) =>
            await project.Orchestration.ListTicksAsync(pipeline, Math.Clamp(limit ?? 100, 1, 1000), ct).ConfigureAwait(false));
    }
}
