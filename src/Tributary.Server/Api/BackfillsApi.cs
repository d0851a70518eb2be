using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tributary.Engine.Orchestration;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary><c>/api/backfills</c>: start, follow, cancel and re-run the failed partitions of backfills.</summary>
internal static class BackfillsApi
{
    public static void Map(RouteGroupBuilder group, TributaryProject project, Daemon daemon)
    {
        // Tagged for the OpenAPI document (otherwise each operation is tagged with the host application's name).
        var api = group.MapGroup("").WithTags("Backfills");
        api.MapPost("/backfills", (BackfillSubmission r, CancellationToken ct) => StartAsync(project, daemon, r, ct));

        // Newest first, each with its partitions counted by state (the UI's progress bars).
        api.MapGet("/backfills", async Task<Ok<IReadOnlyList<BackfillView>>> (CancellationToken ct) =>
        {
            var views = new List<BackfillView>();
            foreach (var b in await project.Orchestration.ListBackfillsAsync(ct).ConfigureAwait(false))
                views.Add(BackfillView.Of(b, await project.Orchestration.GetBackfillPartitionsAsync(b.BackfillId, ct).ConfigureAwait(false)));
            return TypedResults.Ok<IReadOnlyList<BackfillView>>(views);
        });

        api.MapGet("/backfills/{id}", async Task<Results<Ok<BackfillDetail>, NotFound<ProblemDetails>>> (string id, CancellationToken ct) =>
        {
            if (await project.Orchestration.GetBackfillAsync(id, ct).ConfigureAwait(false) is not { } b) return ApiProblems.NotFound($"no backfill '{id}'");
            var partitions = await project.Orchestration.GetBackfillPartitionsAsync(id, ct).ConfigureAwait(false);
            return TypedResults.Ok(new BackfillDetail(BackfillView.Of(b, partitions), partitions.Select(BackfillPartitionView.Of).ToList()));
        });

        api.MapPost("/backfills/{id}/cancel", async Task<Accepted> (string id, CancellationToken ct) =>
        {
            await daemon.CancelBackfillAsync(id, ct).ConfigureAwait(false);
            return TypedResults.Accepted((string?)null);
        });

        api.MapPost("/backfills/{id}/retry", async Task<Results<Accepted, Conflict<ProblemDetails>>> (string id, CancellationToken ct) =>
        {
            try
            {
                await daemon.RetryFailedAsync(id, ct).ConfigureAwait(false);
                return TypedResults.Accepted((string?)null);
            }
            catch (InvalidOperationException e)
            {
                return ApiProblems.Conflict(e.Message);
            }
        });
    }

    private static async Task<Results<Accepted<BackfillStarted>, NotFound<ProblemDetails>, BadRequest<ProblemDetails>>> StartAsync(
        TributaryProject project, Daemon daemon, BackfillSubmission r, CancellationToken ct)
    {
        if (!project.PipelineNames().Contains(r.Pipeline)) return ApiProblems.NotFound($"no pipeline '{r.Pipeline}'");
        try
        {
            var parameters = r.Params ?? new Dictionary<string, string>();
            var spec = project.LoadPipeline(r.Pipeline, parameters, null);
            var id = await daemon.StartBackfillAsync(spec, r.From, r.To, r.Concurrency ?? 2, parameters, ct, r.Group).ConfigureAwait(false);
            return TypedResults.Accepted($"/api/backfills/{Uri.EscapeDataString(id)}", new BackfillStarted(id));
        }
        catch (ArgumentException e)
        {
            return ApiProblems.BadRequest(e.Message);
        }
    }
}
