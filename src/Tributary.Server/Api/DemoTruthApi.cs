using System.Globalization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tributary.Server.Contracts;

namespace Tributary.Server.Api;

/// <summary>
/// Read-only ground truth of a generated demo store (<c>trib demo-data</c> writes it to data/demo/ground_truth), so that
/// the UI can set models beside the truth. Real data has none: the endpoint answers 404 and the UI shows nothing.
/// </summary>
internal static class DemoTruthApi
{
    public static void Map(RouteGroupBuilder api, TributaryProject project) =>
        api.MapGet("/demo/ground-truth/channels", async Task<Results<Ok<IReadOnlyList<ChannelTruth>>, NotFound<ProblemDetails>>> (CancellationToken ct) =>
        {
            var path = Path.Combine(project.Directory, "data", "demo", "ground_truth", "channels.csv");
            if (!File.Exists(path)) return ApiProblems.NotFound("no demo ground truth in this project (data/demo/ground_truth/channels.csv; trib demo-data writes it)");
            var lines = await File.ReadAllLinesAsync(path, ct).ConfigureAwait(false);
            // The generator writes this file: a header, then plain fields (campaigns are joined with '|', never ',').
            var header = lines[0].Split(',');
            int Column(string name) => Array.IndexOf(header, name);
            var (channel, conversions, share) = (Column("channel"), Column("true_conversions"), Column("true_share"));
            return TypedResults.Ok<IReadOnlyList<ChannelTruth>>(lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(','))
                .Select(f => new ChannelTruth(f[channel], double.Parse(f[conversions], CultureInfo.InvariantCulture), double.Parse(f[share], CultureInfo.InvariantCulture)))
                .ToList());
        }).WithTags("Assets");
}
