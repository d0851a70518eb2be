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
/// the UI can set models beside the truth (the Shapley split and, from files that have it, the incremental truth).
/// Real data has none: the endpoint answers 404 and the UI shows nothing.
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
            var header = lines.Length == 0 ? [] : lines[0].Split(',');
            int Column(string name) => Array.IndexOf(header, name);
            var (channel, conversions, share) = (Column("channel"), Column("true_conversions"), Column("true_share"));
            // The incremental truth came later: a file without it still answers, with nulls there.
            var (lost, lostShare) = (Column("incremental_conversions"), Column("incremental_share"));
            var truth = new List<ChannelTruth>();
            if (channel < 0 || conversions < 0 || share < 0)
                return ApiProblems.NotFound($"{Path.GetRelativePath(project.Directory, path)} is not in the layout trib demo-data writes (channel, true_conversions, true_share; incremental_conversions and incremental_share, if there, numbers too)");
            foreach (var fields in lines.Skip(1).Where(l => l.Length > 0).Select(l => l.Split(',')))
            {
                double? lostValue = null, lostShareValue = null;
                // A file edited by hand is not the generator's: say so rather than fail the request.
                if (fields.Length != header.Length
                    || !double.TryParse(fields[conversions], NumberStyles.Float, CultureInfo.InvariantCulture, out var c)
                    || !double.TryParse(fields[share], NumberStyles.Float, CultureInfo.InvariantCulture, out var s)
                    || !Optional(lost, ref lostValue) || !Optional(lostShare, ref lostShareValue))
                    return ApiProblems.NotFound($"{Path.GetRelativePath(project.Directory, path)} is not in the layout trib demo-data writes (channel, true_conversions, true_share; incremental_conversions and incremental_share, if there, numbers too)");
                truth.Add(new ChannelTruth(fields[channel], c, s, lostValue, lostShareValue));

                // A column the file lacks is null; one it has must be a number.
                bool Optional(int column, ref double? value)
                {
                    if (column < 0) return true;
                    if (!double.TryParse(fields[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var v)) return false;
                    value = v;
                    return true;
                }
            }
            return TypedResults.Ok<IReadOnlyList<ChannelTruth>>(truth);
        }).WithTags("Assets");
}
