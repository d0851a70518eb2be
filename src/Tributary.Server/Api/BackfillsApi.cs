using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Tributary.Engine.Orchestration;

namespace Tributary.Server.Api;

/// <summary><c>/api/backfills</c>: start, follow, cancel and re-run the failed partitions of backfills.</summary>
internal static class BackfillsApi
{
    /// <summary>A backfill request: partitions from..to (inclusive), how many at once, param overrides.</summary>
    internal sealed record Request(string Pipeline, string From, string To, int? Concurrency = null, Dictionary<string, string>? Params = null);

    public static void Map(RouteGroupBuilder api, TributaryProject project, Daemon daemon)
    {
        api.MapPost("/backfills", async (Request r, CancellationToken ct) =>
        {
            if (!project.PipelineNames().Contains(r.Pipeline)) return ApiProblems.NotFound($"no pipeline '{r.Pipeline}'");
            try
            {
                var spec = project.LoadPipeline(r.Pipeline, r.Params ?? [], null);
                var id = await daemon.StartBackfillAsync(spec, r.From, r.To, r.Concurrency ?? 2, r.Params ?? [], ct).ConfigureAwait(false);
                return Results.Accepted($"/api/backfills/{id}", new { backfill_id = id });
            }
            catch (ArgumentException e)
            {
                return ApiProblems.BadRequest(e.Message);
            }
        });

        api.MapGet("/backfills", async (CancellationToken ct) => await project.Orchestration.ListBackfillsAsync(ct).ConfigureAwait(false));

        api.MapGet("/backfills/{id}", async (string id, CancellationToken ct) =>
            await project.Orchestration.GetBackfillAsync(id, ct).ConfigureAwait(false) is { } b
                ? Results.Ok(new { backfill = b, partitions = await project.Orchestration.GetBackfillPartitionsAsync(id, ct).ConfigureAwait(false) })
                : ApiProblems.NotFound($"no backfill '{id}'"));

        api.MapPost("/backfills/{id}/cancel", async (string id, CancellationToken ct) =>
        {
            await daemon.CancelBackfillAsync(id, ct).ConfigureAwait(false);
            return Results.Accepted();
        });

        api.MapPost("/backfills/{id}/retry", async (string id, CancellationToken ct) =>
        {
            try
            {
                await daemon.RetryFailedAsync(id, ct).ConfigureAwait(false);
                return Results.Accepted();
            }
            catch (InvalidOperationException e)
            {
                return ApiProblems.Conflict(e.Message);
            }
        });
    }
}
