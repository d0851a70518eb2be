using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Pipelines;
using Tributary.Engine.Orchestration;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary><c>/api/pipelines</c>, <c>/api/components</c> and <c>/api/ticks</c>: what the project has and what its schedules and sensors did.</summary>
internal static class PipelinesApi
{
    private const int MaxPartitionsPerPage = 1000;

    public static void Map(RouteGroupBuilder group, TributaryProject project, Daemon daemon, TimeProvider time, ILogger log)
    {
        // Tagged for the OpenAPI document (otherwise each operation is tagged with the host application's name).
        var api = group.MapGroup("").WithTags("Pipelines");
        api.MapGet("/pipelines", (CancellationToken ct) => ListAsync(project, daemon, time, log, ct));

        // One page of partitions (oldest first) with every asset's state in each, and how many partitions there are.
        api.MapGet("/pipelines/{name}/partitions", (string name, long? offset, int? limit, CancellationToken ct) => PartitionsAsync(project, time, name, offset, limit, ct));

        // The next few ticks of a cron expression in a timezone (the project's when none is given, as a schedule without one), for the schedule editor.
        api.MapGet("/cron/next", (string expression, string? timezone, int? count) => NextTicks(time, expression, timezone ?? project.Timezone, count));

        api.MapPost("/pipelines/{name}/pause", (string name, CancellationToken ct) => SetPausedAsync(daemon, name, true, ct));
        api.MapPost("/pipelines/{name}/resume", (string name, CancellationToken ct) => SetPausedAsync(daemon, name, false, ct));

        // Where an asset comes from and what reads it, across the project's pipelines; and its pipeline's partitions.
        api.MapGet("/lineage/{asset}", (string asset, CancellationToken ct) => Lineage(project, asset, ct));

        api.MapGet("/components", () => TypedResults.Ok<IReadOnlyList<ComponentTypeSummary>>(
            project.Catalog.Types.Select(c => new ComponentTypeSummary(c.TypeName, c.Description)).ToList()));

        api.MapGet("/ticks", async Task<Ok<IReadOnlyList<TickView>>> (string? pipeline, int? limit, CancellationToken ct) =>
            TypedResults.Ok<IReadOnlyList<TickView>>((await project.Orchestration.ListTicksAsync(pipeline, Math.Clamp(limit ?? 100, 1, 1000), ct).ConfigureAwait(false))
                .Select(TickView.Of).ToList()));
    }

    private static async Task<Ok<IReadOnlyList<PipelineSummary>>> ListAsync(TributaryProject project, Daemon daemon, TimeProvider time, ILogger log, CancellationToken ct)
    {
        var list = new List<PipelineSummary>();
        var loaded = new List<PipelineSpec>();
        foreach (var name in project.PipelineNames())
        {
            ct.ThrowIfCancellationRequested();
            // A pipeline that no longer loads still shows how it last ran.
            var last = (await project.Runs.ListRunsAsync(1, name, ct).ConfigureAwait(false)) is [var newest, ..] ? RunView.Of(newest) : null;
            try
            {
                var p = project.LoadPipeline(name, new Dictionary<string, string>(), null);
                loaded.Add(p);
                var next = p.Schedule is null ? null : new CronSchedule(p.Schedule).Next(time.GetUtcNow());
                list.Add(new PipelineSummary(name, p.Description, p.Components.Count, p.Schedule?.Cron, p.Schedule?.Timezone, next,
                    p.Partitions?.Type, p.Sensors.Select(s => s.Describe()).Concat(p.Groups.SelectMany(g => g.Sensors.Select(s => $"{g.Name}: {s.Describe()}"))).ToList(), await daemon.IsPausedAsync(name, ct).ConfigureAwait(false), null,
                    p.Groups.Where(g => g.Partitions is not null).Select(g => new GroupPartitions(g.Name, g.Partitions!.Type)).ToList(),
                    p.Groups.Where(g => g.Schedule is not null)
                        .Select(g => new GroupSchedule(g.Name, g.Schedule!.Cron, g.Schedule.Timezone, new CronSchedule(g.Schedule).Next(time.GetUtcNow()))).ToList(), last)
                    { ReportingTimezone = project.Timezone });
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.PipelineDoesNotLoad(e, name);
                list.Add(new PipelineSummary(name, null, null, null, null, null, null, [], null, LoadError(project, e), [], [], last) { ReportingTimezone = project.Timezone });
            }
        }
        return TypedResults.Ok<IReadOnlyList<PipelineSummary>>([.. list.Select(s => loaded.Find(p => p.Name == s.Name) is { } p ? s with { TableConflicts = TableConflicts(project, p, loaded) } : s)]);
    }

    // Checked last, a pipeline carries every TRIB0209 about a table it shares (trib validate puts each at the later file only).
    private static List<string> TableConflicts(TributaryProject project, PipelineSpec pipeline, List<PipelineSpec> all)
    {
        string Relative(string file) => Path.GetRelativePath(project.Directory, file);
        return [.. ProjectDefinitions.Compare([.. all.Where(p => !ReferenceEquals(p, pipeline)), pipeline], Relative)
            .Where(d => string.Equals(d.Location.File, pipeline.File, StringComparison.Ordinal))
            .Select(d => (d with { Location = d.Location with { File = Relative(d.Location.File) } }).ToString())];
    }

    // The page shows where the file is wrong, named as in the project (pipelines/x.yaml:3:5), not where the project lies on disk.
    private static string LoadError(TributaryProject project, Exception e) => e is PipelineException p
        ? string.Join(Environment.NewLine, p.Diagnostics.Select(d => Path.IsPathRooted(d.Location.File)
            ? d with { Location = d.Location with { File = Path.GetRelativePath(project.Directory, d.Location.File) } }
            : d))
        : e.Message;

    private static async Task<Results<Ok<PartitionPage>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> PartitionsAsync(
        TributaryProject project, TimeProvider time, string name, long? offset, int? limit, CancellationToken ct)
    {
        if (!project.PipelineNames().Contains(name)) return ApiProblems.NotFound($"no pipeline '{name}'");
        if (offset is < 0) return ApiProblems.BadRequest($"offset must be 0 or more, not {offset}");
        if (limit is < 1 or > MaxPartitionsPerPage) return ApiProblems.BadRequest($"limit must be 1 to {MaxPartitionsPerPage}, not {limit}");
        var p = project.LoadPipeline(name, new Dictionary<string, string>(), null);
        if (p.Partitions is null && p.Groups.All(g => g.Partitions is null)) return ApiProblems.NotFound($"pipeline '{name}' has no partitions");
        var page = await PartitionStatus.PageAsync(p, project.Runs, time.GetUtcNow(), offset ?? 0, limit ?? 100, ct).ConfigureAwait(false);
        return TypedResults.Ok(new PartitionPage(page.Total, page.Offset, limit ?? 100,
            page.Items.Select(i => new AssetPartitionView(i.Asset, i.Partition, i.State, i.MaterializedAt, i.RunId, i.Group)).ToList()));
    }

    private static Results<Ok<IReadOnlyList<DateTimeOffset>>, BadRequest<ProblemDetails>> NextTicks(TimeProvider time, string expression, string timezone, int? count)
    {
        try
        {
            var schedule = new CronSchedule(new ScheduleSpec(expression, timezone, new Core.Diagnostics.SourceLocation("api", 1, 1)));
            var ticks = new List<DateTimeOffset>();
            var at = time.GetUtcNow();
            for (var i = 0; i < Math.Clamp(count ?? 5, 1, 20) && schedule.Next(at) is { } next; i++) ticks.Add(at = next);
            return TypedResults.Ok<IReadOnlyList<DateTimeOffset>>(ticks);
        }
        catch (Exception e) when (e is Cronos.CronFormatException or TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            return ApiProblems.BadRequest(e.Message);
        }
    }

    private static async Task<Ok<PipelinePauseState>> SetPausedAsync(Daemon daemon, string name, bool paused, CancellationToken ct)
    {
        await daemon.SetPausedAsync(name, paused, ct).ConfigureAwait(false);
        return TypedResults.Ok(new PipelinePauseState(name, paused));
    }

    private static Ok<IReadOnlyList<AssetLineage>> Lineage(TributaryProject project, string asset, CancellationToken ct)
    {
        var result = new List<AssetLineage>();
        foreach (var name in project.PipelineNames())
        {
            ct.ThrowIfCancellationRequested();
            PipelineSpec p;
            try
            {
                p = project.LoadPipeline(name, new Dictionary<string, string>(), null);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                continue;
            }
            // The step named after the table, else the one that writes it under another name (a sync's target).
            var component = p.Components.FirstOrDefault(c => c.Id == asset);
            if (component is null)
            {
                var plans = PipelinePlans.Of(p, project.Catalog);
                component = p.Components.FirstOrDefault(c => plans.TryGetValue(c.Id, out var plan) && plan.Writes.Contains(asset, StringComparer.Ordinal));
            }
            if (component is null) continue;
            result.Add(new AssetLineage(name, component.Id, component.Type, component.Inputs,
                p.Components.Where(c => c.Inputs.Contains(asset)).Select(c => c.Id).ToList(),
                p.Partitions is not null || p.Groups.Any(g => g.Partitions is not null && g.Assets.Contains(component.Id)),
                (component.Location with { File = Path.GetRelativePath(project.Directory, component.Location.File) }).ToString(),
                AssetDefinitions.Fingerprints(p).GetValueOrDefault(component.Id)));
        }
        return TypedResults.Ok<IReadOnlyList<AssetLineage>>(result);
    }
}
