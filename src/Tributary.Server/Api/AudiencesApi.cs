using System.Data.Common;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tributary.Components.Segments;
using Tributary.Core.Components;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// <c>POST /api/audiences/preview</c>: how many rows of a table an audience holds, and its first rows, for the Audiences
/// page while the marketer builds it. The SQL is <see cref="AudienceQuery"/>'s, the one <c>segment.audience</c> runs, so
/// the count is what a run would write now. A POST (conditions do not fit a query string), so it carries the write secret.
/// </summary>
internal static class AudiencesApi
{
    /// <summary>Rows of the audience the answer shows.</summary>
    public const int SampleRows = 20;

    public static void Map(RouteGroupBuilder group, TributaryProject project, TimeProvider time)
    {
        var api = group.MapGroup("/audiences").WithTags("Audiences");
        api.MapPost("/preview", async Task<Results<Ok<AudiencePreview>, BadRequest<ProblemDetails>, NotFound<ProblemDetails>>> (AudiencePreviewRequest body, CancellationToken ct) =>
        {
            var w = project.Warehouse;
            if (string.IsNullOrWhiteSpace(body.Table)) return ApiProblems.BadRequest("table is empty");
            if (body.Limit is < 1) return ApiProblems.BadRequest($"limit must be 1 or more, got {body.Limit}");
            if (await w.DescribeTableAsync(body.Table, ct).ConfigureAwait(false) is not { } schema) return ApiProblems.NotFound($"no table '{body.Table}'");
            var conditions = body.Conditions.Select(c => c.Values is { } list ? AudienceCondition.Of(c.Column, c.Op, list) : AudienceCondition.Of(c.Column, c.Op, c.Value)).ToList();
            if (body.Limit is not null && string.IsNullOrWhiteSpace(body.OrderBy)) return ApiProblems.BadRequest("limit needs order_by (e.g. 'clv desc'): which rows are first?");
            AudienceQuery query;
            try
            {
                query = AudienceQuery.Build(w.Dialect, body.Table, schema, conditions, body.Match, body.Limit, body.OrderBy, time.GetUtcNow().UtcDateTime, Zone(project.Timezone));
            }
            catch (InputDataException e)
            {
                return ApiProblems.BadRequest(e.Message);
            }
            try
            {
                var read = await AudienceSample.ReadAsync(w, body.Table, schema, query, SampleRows, ct).ConfigureAwait(false);
                return TypedResults.Ok(new AudiencePreview(read.Count, read.Total, schema.Columns.Select(c => new ColumnView(c.Name, c.Kind)).ToList(), JsonCells.Finite(read.Rows)));
            }
            catch (DbException e)
            {
                return ApiProblems.BadRequest($"the audience's query failed: {e.Message}");
            }
        });
    }

    private static TimeZoneInfo Zone(string timezone) => TimeZoneInfo.TryFindSystemTimeZoneById(timezone, out var zone) ? zone : TimeZoneInfo.Utc;
}
