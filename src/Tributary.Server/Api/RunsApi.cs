using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;

namespace Tributary.Server.Api;

/// <summary><c>/api/runs</c> and <c>/api/queue</c>: submit, follow (server-sent events), list and cancel runs.</summary>
internal static class RunsApi
{
    /// <summary>A run request: pipeline, optional partition and param overrides, priority (higher first).</summary>
    internal sealed record Submission(string Pipeline, string? Partition = null, Dictionary<string, string>? Params = null, int? Priority = null, string? Selection = null);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    public static void Map(RouteGroupBuilder api, TributaryProject project, Daemon daemon)
    {
        api.MapPost("/runs", async (Submission s, CancellationToken ct) =>
        {
            if (!project.PipelineNames().Contains(s.Pipeline))
                return ApiProblems.NotFound($"no pipeline '{s.Pipeline}'; pipelines: {string.Join(", ", project.PipelineNames())}");
            try
            {
                // Load now so a bad param or partition is a 400 here, not a failed run later.
                var spec = project.LoadPipeline(s.Pipeline, s.Params ?? [], null);
                if (s.Partition is not null)
                {
                    if (spec.Partitions is null) return ApiProblems.BadRequest($"pipeline '{s.Pipeline}' has no partitions");
                    new Core.Pipelines.PartitionScheme(spec.Partitions).Parse(s.Partition, DateTimeOffset.UtcNow);
                }
                if (s.Selection is not null) Engine.Execution.AssetSelection.Resolve(Core.Pipelines.AssetGraph.Of(spec), s.Selection);
            }
            catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
            {
                return ApiProblems.BadRequest(e.Message);
            }
            var id = await daemon.SubmitAsync(s.Pipeline, s.Partition, s.Params ?? [], "api", s.Priority ?? 0, ct, s.Selection).ConfigureAwait(false);
            return Results.Accepted($"/api/queue/{id}", new { queue_id = id });
        });

        api.MapGet("/queue", async (CancellationToken ct) =>
            await project.Orchestration.ListQueueAsync([QueueState.Queued, QueueState.Launched], ct).ConfigureAwait(false));

        api.MapGet("/queue/{id}", async (string id, CancellationToken ct) =>
            (await project.Orchestration.ListQueueAsync([QueueState.Queued, QueueState.Launched, QueueState.Done, QueueState.Cancelled], ct).ConfigureAwait(false))
                .FirstOrDefault(q => q.QueueId == id) is { } q ? Results.Ok(q) : ApiProblems.NotFound($"no queued run '{id}'"));

        api.MapPost("/queue/{id}/cancel", async (string id, CancellationToken ct) =>
        {
            await daemon.CancelAsync(id, ct).ConfigureAwait(false);
            return Results.Accepted();
        });

        // Cancel a run by its id: the queue entry that launched it is cancelled (running steps stop, tables keep their version).
        api.MapPost("/runs/{id}/cancel", async (string id, CancellationToken ct) =>
        {
            var entry = (await project.Orchestration.ListQueueAsync([QueueState.Queued, QueueState.Launched], ct).ConfigureAwait(false)).FirstOrDefault(q => q.RunId == id);
            if (entry is null) return ApiProblems.Conflict($"run '{id}' is not running here");
            await daemon.CancelAsync(entry.QueueId, ct).ConfigureAwait(false);
            return Results.Accepted();
        });

        api.MapGet("/runs", async (string? pipeline, int? limit, CancellationToken ct) =>
            await project.Runs.ListRunsAsync(Math.Clamp(limit ?? 50, 1, 1000), pipeline, ct).ConfigureAwait(false));

        api.MapGet("/runs/{id}", async (string id, CancellationToken ct) =>
        {
            var run = await project.Runs.GetRunAsync(id, ct).ConfigureAwait(false);
            if (run is null) return ApiProblems.NotFound($"no run '{id}'");
            return Results.Ok(new
            {
                run,
                steps = await project.Runs.GetStepsAsync(id, ct).ConfigureAwait(false),
                materializations = (await project.Runs.GetMaterializationsAsync(id, null, ct).ConfigureAwait(false)).Select(m => new { m.Asset, m.At, m.RowCount, m.Duration }),
                checks = await project.Runs.GetChecksAsync(id, ct).ConfigureAwait(false),
            });
        });

        // Server-sent events: every event of the run as it is recorded, then 'end' with the run's status.
        api.MapGet("/runs/{id}/events", async (string id, HttpContext context, CancellationToken ct) =>
        {
            if (await project.Runs.GetRunAsync(id, ct).ConfigureAwait(false) is null)
            {
                await ApiProblems.NotFound($"no run '{id}'").ExecuteAsync(context).ConfigureAwait(false);
                return;
            }
            context.Response.Headers.ContentType = "text/event-stream";
            context.Response.Headers.CacheControl = "no-cache";
            var sent = 0;
            while (!ct.IsCancellationRequested)
            {
                var run = await project.Runs.GetRunAsync(id, ct).ConfigureAwait(false);
                var events = await project.Runs.GetEventsAsync(id, ct).ConfigureAwait(false);
                foreach (var e in events.Skip(sent))
                    await context.Response.WriteAsync($"data: {JsonSerializer.Serialize(new { e.At, kind = e.Kind.ToString().ToLowerInvariant(), e.Asset, e.Message }, Json)}\n\n", ct).ConfigureAwait(false);
                sent = events.Count;
                await context.Response.Body.FlushAsync(ct).ConfigureAwait(false);
                if (run!.Status is not RunStatus.Running)
                {
                    await context.Response.WriteAsync($"event: end\ndata: {JsonSerializer.Serialize(new { status = run.Status.ToString().ToLowerInvariant(), run.Error }, Json)}\n\n", ct).ConfigureAwait(false);
                    return;
                }
                await Task.Delay(200, ct).ConfigureAwait(false);
            }
        });
    }
}
