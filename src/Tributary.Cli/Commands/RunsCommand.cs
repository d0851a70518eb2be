using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Commands;

/// <summary><c>trib runs</c> lists recent runs; <c>trib runs show ID</c> shows steps, materializations, checks and the log.</summary>
internal static class RunsCommand
{
    public static Command Create(CliContext cli)
    {
        var format = CliContext.FormatOption();
        var limit = new Option<int>("--limit", "-n") { Description = "How many runs. Default 20.", DefaultValueFactory = _ => 20 };
        var pipeline = new Option<string?>("--pipeline") { Description = "Only runs of this pipeline." };
        var command = new Command("runs", "List recent runs, newest first.") { format, limit, pipeline };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var store = await project.StoreAsync(ct);
            var runs = await store.ListRunsAsync(parse.GetValue(limit), parse.GetValue(pipeline), ct);
            var f = parse.GetValue(format);
            // A table row per run: a multi-line error (a SQL error quotes the query) keeps its first line; 'runs show' has it all.
            DataWriter.Write(cli.Out, f, ["run_id", "pipeline", "status", "trigger", "started_at", "duration_s", "error"],
                runs.Select(r => new object?[] { r.RunId, r.Pipeline, Name(r.Status), r.Trigger, r.StartedAt.ToLocalTime(), r.Duration?.TotalSeconds,
                    f == OutputFormat.Table ? FirstLine(r.Error) : r.Error }));
            return ExitCodes.Success;
        }));

        var id = new Argument<string>("run_id") { Description = "Run id from 'trib runs'." };
        var showFormat = CliContext.FormatOption();
        var show = new Command("show", "Show one run: steps with rows, checks and log (csv: steps only; json: everything).") { id, showFormat };
        show.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var store = await project.StoreAsync(ct);
            var runId = parse.GetValue(id)!;
            var run = await store.GetRunAsync(runId, ct) ?? throw new CliException($"no run '{runId}'. List runs with 'trib runs'.");
            var f = parse.GetValue(showFormat);
            cli.Error.WriteLine($"run {run.RunId} of {run.Pipeline}{(run.FullRefresh ? " (full refresh)" : "")}: {Name(run.Status)}{(run.Error is null ? "" : $" ({run.Error})")}");
            var steps = await store.GetStepsAsync(runId, ct);
            var mats = (await store.GetMaterializationsAsync(runId, null, ct)).ToDictionary(m => m.Asset);
            // The error stays last: csv readers (bench/scale.sh) split on commas, and only the error may hold one.
            string[] stepColumns = ["asset", "component", "status", "attempts", "rows", "duration_s", "peak_rss_mb", "error"];
            var stepRows = steps.Select(s => new object?[] { s.Asset, s.ComponentType, Name(s.Status), s.Attempts, mats.GetValueOrDefault(s.Asset)?.RowCount,
                (s.EndedAt - s.StartedAt)?.TotalSeconds, s.PeakRssBytes is { } rss ? Math.Round(rss / 1048576.0, 1) : null, s.Error }).ToList();
            string[] checkColumns = ["asset", "check", "passed", "blocking", "detail"];
            var checkRows = (await store.GetChecksAsync(runId, ct)).Select(c => new object?[] { c.Asset, c.Check, c.Passed, c.Blocking, c.Detail }).ToList();
            var events = await store.GetEventsAsync(runId, ct);
            switch (f)
            {
                case OutputFormat.Json:
                    DataWriter.WriteJson(cli.Out, new
                    {
                        run_id = run.RunId, pipeline = run.Pipeline, status = Name(run.Status), trigger = run.Trigger, full_refresh = run.FullRefresh, error = run.Error,
                        started_at = run.StartedAt, ended_at = run.EndedAt,
                        steps = DataWriter.Objects(stepColumns, stepRows),
                        checks = DataWriter.Objects(checkColumns, checkRows),
                        events = events.Select(e => new { at = e.At, kind = e.Kind.ToString(), asset = e.Asset, message = e.Message }),
                    });
                    break;
                case OutputFormat.Csv:
                    DataWriter.Write(cli.Out, f, stepColumns, stepRows);
                    break;
                default:
                    DataWriter.Write(cli.Out, f, stepColumns, stepRows);
                    if (checkRows.Count > 0) DataWriter.Write(cli.Out, f, checkColumns, checkRows);
                    foreach (var e in events) cli.Error.WriteLine($"  {e.At.ToLocalTime():HH:mm:ss.fff} {e.Message}");
                    break;
            }
            return ExitCodes.Success;
        }));
        command.Subcommands.Add(show);
        command.Subcommands.Add(RunsPruneCommand.Create(cli));
        return command;
    }

    private static string Name<T>(T value) where T : Enum => value.ToString().ToLowerInvariant();

    internal static string? FirstLine(string? text)
    {
        if (text is null) return null;
        var trimmed = text.Trim();
        var end = trimmed.IndexOfAny(['\r', '\n']);
        return end < 0 ? trimmed : $"{trimmed[..end].TrimEnd()} …";
    }
}
