using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Options;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary><c>/api/runs</c> and <c>/api/queue</c>: submit, follow (server-sent events), list and cancel runs.</summary>
internal static class RunsApi
{
    public static void Map(RouteGroupBuilder group, TributaryProject project, Daemon daemon, RunEventHub events, TimeProvider time)
    {
        // Tagged for the OpenAPI document (otherwise each operation is tagged with the host application's name).
        var api = group.MapGroup("").WithTags("Runs");
        api.MapPost("/runs", (RunSubmission s, CancellationToken ct) => SubmitAsync(project, daemon, time, s, ct));

        api.MapGet("/queue", async Task<Ok<IReadOnlyList<QueuedRunView>>> (CancellationToken ct) =>
        {
            var queue = await project.Orchestration.ListQueueAsync([QueueState.Queued, QueueState.Launched], ct).ConfigureAwait(false);
            var waits = await WaitsAsync(project, daemon, queue, ct).ConfigureAwait(false);
            return TypedResults.Ok<IReadOnlyList<QueuedRunView>>(queue.Select(q => QueuedRunView.Of(q, waits)).ToList());
        });

        api.MapGet("/queue/{id}", async Task<Results<Ok<QueuedRunView>, NotFound<ProblemDetails>>> (string id, CancellationToken ct) =>
        {
            var all = await project.Orchestration.ListQueueAsync([QueueState.Queued, QueueState.Launched, QueueState.Done, QueueState.Cancelled], ct).ConfigureAwait(false);
            if (all.FirstOrDefault(q => q.QueueId == id) is not { } q) return ApiProblems.NotFound($"no queued run '{id}'");
            return TypedResults.Ok(QueuedRunView.Of(q, await WaitsAsync(project, daemon, [q], ct).ConfigureAwait(false)));
        });

        api.MapPost("/queue/{id}/cancel", async Task<Accepted> (string id, CancellationToken ct) =>
        {
            await daemon.CancelAsync(id, ct).ConfigureAwait(false);
            return TypedResults.Accepted((string?)null);
        });

        // Cancel a run by its id: the queue entry that launched it is cancelled (running steps stop, tables keep their version).
        api.MapPost("/runs/{id}/cancel", async Task<Results<Accepted, Conflict<ProblemDetails>>> (string id, CancellationToken ct) =>
        {
            var entry = (await project.Orchestration.ListQueueAsync([QueueState.Queued, QueueState.Launched], ct).ConfigureAwait(false)).FirstOrDefault(q => q.RunId == id);
            if (entry is null) return ApiProblems.Conflict($"run '{id}' is not running here");
            await daemon.CancelAsync(entry.QueueId, ct).ConfigureAwait(false);
            return TypedResults.Accepted((string?)null);
        });

        api.MapGet("/runs", async Task<Ok<IReadOnlyList<RunView>>> (string? pipeline, int? limit, CancellationToken ct) =>
            TypedResults.Ok<IReadOnlyList<RunView>>((await project.Runs.ListRunsAsync(Math.Clamp(limit ?? 50, 1, 1000), pipeline, ct).ConfigureAwait(false))
                .Select(RunView.Of).ToList()));

        api.MapGet("/runs/{id}", (string id, CancellationToken ct) => GetAsync(project, id, ct));

        // Server-sent events: the run's events (RunEventView) with their sequence number as the event id, then 'end' with
        // how it ended (RunEnded). A follower that reconnects with Last-Event-ID gets only the events after it.
        api.MapGet("/runs/{id}/events", async Task<Results<ServerSentEventsResult<string>, NotFound<ProblemDetails>>> (string id,
            [FromHeader(Name = "Last-Event-ID")] string? lastEventId, IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, CancellationToken ct) =>
        {
            if (await project.Runs.GetRunAsync(id, ct).ConfigureAwait(false) is null) return ApiProblems.NotFound($"no run '{id}'");
            var after = long.TryParse(lastEventId, NumberStyles.None, CultureInfo.InvariantCulture, out var seen) ? seen : 0;
            return TypedResults.ServerSentEvents(new RunEventFeed(project.Runs, events, time, json.Value.SerializerOptions).FollowAsync(id, after, ct));
        }).Produces<RunEventView>(StatusCodes.Status200OK, "text/event-stream");
    }

    // Why queued entries wait, as trib runs says it, and the slots of this server's daemon, which launches them.
    private static Task<IReadOnlyDictionary<string, string>> WaitsAsync(TributaryProject project, Daemon daemon, IReadOnlyList<QueuedRun> queue, CancellationToken ct) =>
        QueueWaits.OfAsync(project.Runs, queue, daemon.Executing, daemon.MaxConcurrentRuns, ct);

    private static async Task<Results<Accepted<RunQueued>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> SubmitAsync(
        TributaryProject project, Daemon daemon, TimeProvider time, RunSubmission s, CancellationToken ct)
    {
        if (s.Trigger is { } trigger && !RunSubmission.Triggers.Contains(trigger))
            return ApiProblems.BadRequest($"trigger '{trigger}' is not one a caller may give: use {string.Join(" or ", RunSubmission.Triggers)} (default api)");
        if (!project.PipelineNames().Contains(s.Pipeline))
            return ApiProblems.NotFound($"no pipeline '{s.Pipeline}'; pipelines: {string.Join(", ", project.PipelineNames())}");
        try
        {
            // Load now so a bad param or partition is a 400 here, not a failed run later.
            var spec = project.LoadPipeline(s.Pipeline, s.Params ?? new Dictionary<string, string>(), null);
            if (s.Partition is not null)
                new Core.Pipelines.PartitionScheme(Engine.Execution.PartitionedPipelines.SchemeOf(spec, s.Selection, s.Partition)).Parse(s.Partition, time.GetUtcNow());
            else Engine.Execution.PartitionedPipelines.CheckWholeRun(spec, time.GetUtcNow());
            if (s.Selection is not null) Engine.Execution.AssetSelection.Resolve(Core.Pipelines.AssetGraph.Of(spec), s.Selection);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            return ApiProblems.BadRequest(e.Message);
        }
        var id = await daemon.SubmitAsync(s.Pipeline, s.Partition, s.Params ?? new Dictionary<string, string>(), s.Trigger ?? "api", s.Priority ?? 0, ct, s.Selection, s.FullRefresh ?? false).ConfigureAwait(false);
        return TypedResults.Accepted($"/api/queue/{Uri.EscapeDataString(id)}", new RunQueued(id));
    }

    private static async Task<Results<Ok<RunDetail>, NotFound<ProblemDetails>>> GetAsync(TributaryProject project, string id, CancellationToken ct)
    {
        var run = await project.Runs.GetRunAsync(id, ct).ConfigureAwait(false);
        if (run is null) return ApiProblems.NotFound($"no run '{id}'");
        return TypedResults.Ok(new RunDetail(
            RunView.Of(run),
            (await project.Runs.GetStepsAsync(id, ct).ConfigureAwait(false)).Select(StepView.Of).ToList(),
            (await project.Runs.GetMaterializationsAsync(id, null, ct).ConfigureAwait(false)).Select(MaterializationView.Of).ToList(),
            (await project.Runs.GetChecksAsync(id, ct).ConfigureAwait(false)).Select(CheckView.Of).ToList(),
            RunEvent.LoadWarnings(await project.Runs.GetEventsAsync(id, ct).ConfigureAwait(false))));
    }
}
