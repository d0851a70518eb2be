using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Tributary.Components.Activation;
using Tributary.Core.Components;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server.Contracts;
using Tributary.Server.Security;

namespace Tributary.Server.Api;

/// <summary>
/// <c>/api/activations</c>: every activation step of the project's pipelines (audience files, customer feeds, webhooks, table syncs), with
/// its destination, consent rule, schedule, recent runs and their counts, and the files it wrote to download.
/// </summary>
internal static partial class ActivationsApi
{
    private const int RecentRuns = 20;
    private const string DeadLetterOutput = "dead_letter";
    private static readonly string[] Types = [AudienceFile.TypeName, CustomerFeed.TypeName, Webhook.TypeName, TableSync.TypeName];
    private static readonly string[] PipelineExtensions = [".yaml", ".yml"];

    // As the designer loads: no environment value is read, so none can reach an answer; ${env.NAME} stays as written in ResolvedWith.
    private static readonly Func<string, string?> StandIn = _ => "https://env.invalid/set";

    [GeneratedRegex(@"\$\{env\.([^}]+)\}")]
    private static partial Regex EnvReference();

    // A URL's user info (scheme://user:pass@) and each query-string value (?k=v&k2=v2).
    [GeneratedRegex(@"^(?<head>[A-Za-z][A-Za-z0-9+.-]*://)(?<secret>[^/?#@]*)@|(?<head>[?&][^=&#]*=)(?<secret>[^&#]*)")]
    private static partial Regex UrlSecret();

    public static void Map(RouteGroupBuilder group, TributaryProject project, Daemon daemon, TimeProvider time)
    {
        // Tagged for the OpenAPI document (otherwise each operation is tagged with the host application's name).
        var api = group.MapGroup("/activations").WithTags("Activations");
        api.MapGet("", (CancellationToken ct) => ListAsync(project, daemon, time, ct));
        api.MapGet("/{pipeline}/{step}", (string pipeline, string step, CancellationToken ct) => DetailAsync(project, daemon, time, pipeline, step, ct));

        // The file as the step wrote it; only inside the project, never a control file, and only to this server's own pages.
        api.MapGet("/{pipeline}/{step}/files/{index:int}", async Task<Results<FileStreamHttpResult, NotFound<ProblemDetails>, ProblemHttpResult>> (
            string pipeline, string step, int index, HttpContext context, CancellationToken ct) =>
        {
            if (WriteProtection.CrossSiteReason(context.Request) is { } reason)
                return TypedResults.Problem(ApiProblems.Problem(StatusCodes.Status403Forbidden, $"{reason}; audience files are given only to this server's own pages"));
            if (Find(project, pipeline, step) is not { } found) return ApiProblems.NotFound($"no activation step '{step}' in pipeline '{pipeline}'");
            var files = await FilesAsync(project, found, ct).ConfigureAwait(false);
            if (index < 0 || index >= files.Count) return ApiProblems.NotFound($"step '{step}' has no file {index}: its latest successful run wrote {files.Count}");
            var full = files[index];
            if (!File.Exists(full)) return ApiProblems.NotFound($"'{Path.GetRelativePath(project.Directory, full)}' is not in the project any more");
            context.Response.Headers.CacheControl = "no-store";
            return TypedResults.File(File.OpenRead(full), ContentType(full), Path.GetFileName(full));
        }).Produces<string>(StatusCodes.Status200OK, "application/octet-stream").ProducesProblem(StatusCodes.Status403Forbidden);
    }

    private sealed record Found(PipelineSpec Pipeline, ComponentSpec Step);

    private static async Task<Ok<ActivationList>> ListAsync(TributaryProject project, Daemon daemon, TimeProvider time, CancellationToken ct)
    {
        var activations = new List<ActivationView>();
        var unreadable = new List<UnreadablePipeline>();
        foreach (var name in project.PipelineNames())
        {
            ct.ThrowIfCancellationRequested();
            var loaded = Load(project, name);
            if (loaded is { Succeeded: false } or { Pipeline: null })
            {
                // A file that does not even parse may still hold an activation: the page says which pipeline to fix.
                unreadable.Add(new UnreadablePipeline(name, string.Join(Environment.NewLine, loaded.Diagnostics.Where(d => !d.IsWarning)
                    .Select(d => Path.IsPathRooted(d.Location.File) ? d with { Location = d.Location with { File = Path.GetRelativePath(project.Directory, d.Location.File) } } : d))));
                continue;
            }
            var steps = loaded.Pipeline.Components.Where(c => Types.Contains(c.Type, StringComparer.Ordinal)).ToList();
            if (steps.Count == 0) continue;
            var paused = await daemon.IsPausedAsync(name, ct).ConfigureAwait(false);
            var last = await LastRunsAsync(project, name, steps, ct).ConfigureAwait(false);
            activations.AddRange(steps.Select(s => View(loaded.Pipeline, s, paused, time, last.GetValueOrDefault(s.Id))));
        }
        return TypedResults.Ok(new ActivationList(activations, unreadable));
    }

    private static async Task<Results<Ok<ActivationDetail>, NotFound<ProblemDetails>>> DetailAsync(TributaryProject project, Daemon daemon, TimeProvider time,
        string pipeline, string step, CancellationToken ct)
    {
        if (Find(project, pipeline, step) is not { } found) return ApiProblems.NotFound($"no activation step '{step}' in pipeline '{pipeline}'");
        var runs = await RunsAsync(project, found, RecentRuns, ct).ConfigureAwait(false);
        var view = View(found.Pipeline, found.Step, await daemon.IsPausedAsync(pipeline, ct).ConfigureAwait(false), time, runs.FirstOrDefault());
        string? log = null, dead = null;
        if (found.Step.Type == Webhook.TypeName)
        {
            log = await project.Warehouse.DescribeTableAsync(step, ct).ConfigureAwait(false) is null ? null : step;
            var deadTable = OutputTables.Of(step, DeadLetterOutput);
            dead = await project.Warehouse.DescribeTableAsync(deadTable, ct).ConfigureAwait(false) is null ? null : deadTable;
        }
        var files = (await FilesAsync(project, found, ct).ConfigureAwait(false)).Select(f => Path.GetRelativePath(project.Directory, f)).ToList();
        return TypedResults.Ok(new ActivationDetail(view, runs, log, dead, files));
    }

    private static LoadResult Load(TributaryProject project, string name)
    {
        var file = PipelineExtensions.Select(e => Path.Combine(project.PipelinesDirectory, name + e)).FirstOrDefault(File.Exists)
            ?? Path.Combine(project.PipelinesDirectory, name + ".yaml");
        return new PipelineLoader(project.Catalog).LoadFile(file, new LoadOptions { Environment = StandIn, NamedAfterFile = true, Paths = project.Paths, Timezone = project.Timezone });
    }

    private static Found? Find(TributaryProject project, string pipeline, string step)
    {
        if (!project.PipelineNames().Contains(pipeline, StringComparer.Ordinal)) return null;
        var loaded = Load(project, pipeline);
        return loaded is { Succeeded: true, Pipeline: { } p } && p.Components.FirstOrDefault(c => c.Id == step && Types.Contains(c.Type, StringComparer.Ordinal)) is { } s
            ? new Found(p, s) : null;
    }

    private static ActivationView View(PipelineSpec pipeline, ComponentSpec step, bool paused, TimeProvider time, ActivationRunView? last)
    {
        var with = step.ResolvedWith is { } json ? JsonNode.Parse(json) as JsonObject : null;
        var (destination, kind, format, consent, column) = step.Parameters switch
        {
            AudienceFileParameters a => (Written(with, "path") ?? a.Path, "file", Snake(a.Format), a.Consent, a.ConsentColumn),
            CustomerFeedParameters f => (Written(with, "path") ?? f.Path, "file", Snake(f.Format), f.Consent, f.ConsentColumn),
            WebhookParameters w => (w.UrlEnv is { } env ? $"${{env.{env}}}" : Masked(Written(with, "url") ?? w.Url!), "url", (string?)null, w.Consent, w.ConsentColumn),
            // A table sync copies its input as it is: no consent rule of its own.
            TableSyncParameters t => (Written(with, "target") ?? t.Target, "table", (string?)null, ConsentRule.Ignore, (string?)null),
            _ => throw new System.Diagnostics.UnreachableException($"{step.Type} is not an activation"),
        };
        var group = pipeline.Groups.FirstOrDefault(g => g.Schedule is not null && g.Assets.Contains(step.Id));
        var schedule = group?.Schedule ?? pipeline.Schedule;
        return new ActivationView(pipeline.Name, step.Id, step.Type, destination, kind,
            EnvReference().Matches(destination).Select(m => m.Groups[1].Value).Distinct(StringComparer.Ordinal).ToList(),
            format, Snake(consent), consent == ConsentRule.Ignore ? null : column, schedule?.Cron, schedule?.Timezone,
            schedule is null ? null : new CronSchedule(schedule).Next(time.GetUtcNow()), group?.Name, paused, last);
    }

    /// <summary>A URL with its query-string values and user info as <c>***</c> (a token written in the pipeline file); a value that is only <c>${env.NAME}</c> stays.</summary>
    internal static string Masked(string url) => UrlSecret().Replace(url, m =>
    {
        var secret = m.Groups["secret"].Value;
        var kept = secret.Length == 0 || EnvReference().Replace(secret, "").Trim(':').Length == 0;
        return m.Groups["head"].Value + (kept ? secret : "***") + (m.Groups["head"].Value.EndsWith("://", StringComparison.Ordinal) ? "@" : "");
    });

    // The with: value as the file writes it (params in place, ${env.NAME} kept), rather than the stand-in the load put there.
    private static string? Written(JsonObject? with, string key) => with?[key] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    private static string Snake<T>(T value) where T : struct, Enum => JsonNamingPolicy.SnakeCaseLower.ConvertName(value.ToString());

    // The latest run of the pipeline that had each step in it, reading runs newest first until every step has one.
    private static async Task<Dictionary<string, ActivationRunView>> LastRunsAsync(TributaryProject project, string pipeline, List<ComponentSpec> steps, CancellationToken ct)
    {
        var found = new Dictionary<string, ActivationRunView>(StringComparer.Ordinal);
        foreach (var run in await project.Runs.ListRunsAsync(50, pipeline, ct).ConfigureAwait(false))
        {
            var records = await project.Runs.GetStepsAsync(run.RunId, ct).ConfigureAwait(false);
            foreach (var s in steps.Where(s => !found.ContainsKey(s.Id)))
                if (records.FirstOrDefault(r => r.Asset == s.Id) is { } record)
                    found[s.Id] = await RunViewAsync(project, run, record, s.Type, ct).ConfigureAwait(false);
            if (found.Count == steps.Count) break;
        }
        return found;
    }

    private static async Task<List<ActivationRunView>> RunsAsync(TributaryProject project, Found found, int limit, CancellationToken ct)
    {
        var result = new List<ActivationRunView>();
        foreach (var run in await project.Runs.ListRunsAsync(50, found.Pipeline.Name, ct).ConfigureAwait(false))
        {
            if ((await project.Runs.GetStepsAsync(run.RunId, ct).ConfigureAwait(false)).FirstOrDefault(r => r.Asset == found.Step.Id) is not { } record) continue;
            result.Add(await RunViewAsync(project, run, record, found.Step.Type, ct).ConfigureAwait(false));
            if (result.Count == limit) break;
        }
        return result;
    }

    private static async Task<ActivationRunView> RunViewAsync(TributaryProject project, RunRecord run, StepRecord step, string type, CancellationToken ct)
    {
        var main = step.Status == StepStatus.Succeeded ? await MainAsync(project, run.RunId, step.Asset, ct).ConfigureAwait(false) : null;
        var counts = main is not null ? Counts(type, main)
            : step.Status == StepStatus.Failed && type == Webhook.TypeName ? await DeadLetteredAsync(project, run.RunId, step.Asset, ct).ConfigureAwait(false)
            : null;
        var warnings = (await project.Runs.GetChecksAsync(run.RunId, ct).ConfigureAwait(false))
            .Where(c => c.Asset == step.Asset && c.Check == RunExecutor.WarningCheck).Select(c => c.Detail).ToList();
        return new ActivationRunView(run.RunId, run.Status, step.Status, run.Trigger, run.StartedAt, step.EndedAt ?? run.EndedAt, step.Error,
            counts, warnings, run.FullRefresh);
    }

    // A failed step records no materialization, but a webhook writes its dead letters first: what this run put there.
    private static async Task<ActivationCounts?> DeadLetteredAsync(TributaryProject project, string runId, string step, CancellationToken ct)
    {
        var w = project.Warehouse;
        var table = OutputTables.Of(step, DeadLetterOutput);
        if (await w.DescribeTableAsync(table, ct).ConfigureAwait(false) is not { } schema || schema.Find("run_id") is null || schema.Find("rows") is null) return null;
        var d = w.Dialect;
        var q = new SqlBuilder(d);
        var result = await w.QueryAsync($"SELECT count(*), CAST(sum({d.Quote("rows")}) AS BIGINT) FROM {d.Quote(table)} WHERE {d.Quote("run_id")} = {q.Bind(runId, DataKind.Text)}",
            q.Parameters, 1, ct).ConfigureAwait(false);
        var row = result.Rows[0];
        var batches = Convert.ToInt64(row[0], CultureInfo.InvariantCulture);
        if (batches == 0) return null;
        return new ActivationCounts(null, null, null, Convert.ToInt64(row[1], CultureInfo.InvariantCulture), batches, new Dictionary<string, long>());
    }

    private static async Task<MaterializationRecord?> MainAsync(TributaryProject project, string runId, string step, CancellationToken ct) =>
        (await project.Runs.GetMaterializationsAsync(runId, step, ct).ConfigureAwait(false)).FirstOrDefault(m => m.Output is null or DeclaredOutput.MainName);

    /// <summary>The counts a step's main materialization recorded, named alike for every type; the keys no name takes are kept under Other.</summary>
    internal static ActivationCounts Counts(string type, MaterializationRecord main)
    {
        var numbers = new Dictionary<string, long>(StringComparer.Ordinal);
        if (!string.IsNullOrWhiteSpace(main.MetadataJson) && JsonNode.Parse(main.MetadataJson) is JsonObject metadata)
            foreach (var (key, node) in metadata)
                if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d) && double.IsFinite(d) && d == Math.Floor(d))
                    numbers[key] = (long)d;
        long? Take(string key) => numbers.Remove(key, out var n) ? n : null;
        var rowsIn = Take("rows_in");
        var excluded = Take("excluded_no_consent");
        return type == Webhook.TypeName
            ? new ActivationCounts(rowsIn, Take("rows_delivered"), excluded, Take("rows_failed"), Take("dead_lettered"), numbers)
            // A table's rows are the target's after the sync; added, updated and removed stay under Other.
            : type == TableSync.TypeName ? new ActivationCounts(rowsIn, Take("target_rows"), excluded, null, null, numbers)
            // A file's rows are the rows it wrote: the audience table, or the feed's rows.
            : new ActivationCounts(rowsIn, main.RowCount, excluded, null, null, numbers);
    }

    // The files the step's latest successful run wrote, as it recorded them (an audience file's list, a feed's one path), as
    // full paths; those outside the project folder (allowed_paths) are left out, so no other folder is served.
    private static async Task<IReadOnlyList<string>> FilesAsync(TributaryProject project, Found found, CancellationToken ct)
    {
        if (found.Step.Type == Webhook.TypeName || found.Step.Type == TableSync.TypeName) return [];
        foreach (var run in await project.Runs.ListRunsAsync(50, found.Pipeline.Name, ct).ConfigureAwait(false))
        {
            if (await MainAsync(project, run.RunId, found.Step.Id, ct).ConfigureAwait(false) is not { } main) continue;
            var metadata = JsonNode.Parse(string.IsNullOrWhiteSpace(main.MetadataJson) ? "{}" : main.MetadataJson) as JsonObject;
            IEnumerable<string> written = metadata?["files"] is JsonArray files ? files.Select(f => f is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).OfType<string>()
                : metadata?["path"] is JsonValue path && path.TryGetValue<string>(out var p) ? [p] : [];
            return written.Select(f => Inside(project, f)).OfType<string>().ToList();
        }
        return [];
    }

    // Only a file inside the project folder, never a control file (tributary.yaml, pipelines/, .tributary/), links followed.
    private static string? Inside(TributaryProject project, string path)
    {
        try
        {
            return new Core.Projects.ProjectPaths(project.Directory, [], [project.PipelinesDirectory, .. project.ControlPaths]).ResolveOutput(path);
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string ContentType(string path) => Path.GetExtension(path).ToLowerInvariant() switch
    {
        ".csv" => "text/csv",
        ".json" => "application/json",
        ".parquet" => "application/vnd.apache.parquet",
        _ => "application/octet-stream",
    };
}
