using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Commands;

/// <summary><c>trib runs</c> lists recent runs; <c>trib runs show ID</c> shows steps, materializations, checks and the log; <c>trib runs cancel ID</c> stops one.</summary>
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
            // New columns go last: csv readers (bench/scale.sh) take the first ones by position.
            DataWriter.Write(cli.Out, f, ["run_id", "pipeline", "status", "trigger", "started_at", "duration_s", "error", "full_refresh", "partition"],
                runs.Select(r => new object?[] { r.RunId, r.Pipeline, Name(r.Status), r.Trigger, r.StartedAt.ToLocalTime(), r.Duration?.TotalSeconds,
                    f == OutputFormat.Table ? FirstLine(r.Error) : r.Error, r.FullRefresh, r.Partition }));
            // Queued runs are not runs yet: one held back by a running run of its pipeline says so on stderr.
            var queue = (await store.ListQueueAsync([QueueState.Queued], ct)).Where(q => parse.GetValue(pipeline) is not { } p || q.Pipeline == p).ToList();
            var waits = await QueueWaits.OfAsync(store, queue, ct);
            foreach (var q in queue)
                if (waits.TryGetValue(q.QueueId, out var why)) cli.Error.WriteLine($"queued run {q.QueueId} of {q.Pipeline}{(q.Partition is null ? "" : $" [{q.Partition}]")} {why}");
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
            cli.Error.WriteLine($"run {run.RunId} of {run.Pipeline}{(run.Partition is null ? "" : $" [{run.Partition}]")}{(run.FullRefresh ? " (full refresh)" : "")}: {Name(run.Status)}{(run.Error is null ? "" : $" ({run.Error})")}");
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
                        run_id = run.RunId, pipeline = run.Pipeline, partition = run.Partition, status = Name(run.Status), trigger = run.Trigger, full_refresh = run.FullRefresh, error = run.Error,
                        started_at = run.StartedAt, ended_at = run.EndedAt, selection = run.Selection, @params = run.Params,
                        warnings = RunEvent.LoadWarnings(events),
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

        var cancelId = new Argument<string>("run_id") { Description = "Run id from 'trib runs', or the queue id 'trib run' printed for a run not started yet." };
        var cancel = new Command("cancel", "Cancel a queued or running run: through the running server, else in the project's queue.") { cancelId };
        cancel.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var runId = parse.GetValue(cancelId)!;
            if (ServerConnection.Find(project) is { } server)
                using (server)
                {
                    cli.Error.WriteLine(await CancelOnServerAsync(server, runId, ct));
                    return ExitCodes.Success;
                }
            cli.Error.WriteLine(await CancelInStoreAsync(await project.StoreAsync(ct), runId, ct));
            return ExitCodes.Success;
        }));
        command.Subcommands.Add(cancel);
        command.Subcommands.Add(RunsPruneCommand.Create(cli));
        return command;
    }

    // The server stops a running run at once; a queue id names a run that may not have started yet.
    private static async Task<string> CancelOnServerAsync(ServerConnection server, string id, CancellationToken ct)
    {
        if (await server.FindQueuedRunAsync(id, ct) is { State: QueueState.Queued or QueueState.Launched } entry)
        {
            await server.CancelQueuedAsync(id, ct);
            return entry.RunId is null ? $"queued run {id} cancelled before it started." : $"run {entry.RunId} cancelling on the server; every table keeps its previous version.";
        }
        await server.CancelRunAsync(id, ct);
        return $"run {id} cancelling on the server; every table keeps its previous version. Follow it with: trib runs show {id}";
    }

    // Without a server nothing executes the queue: an entry cancelled here is not run by the next 'trib serve'.
    private static async Task<string> CancelInStoreAsync(IProjectRunStore store, string id, CancellationToken ct)
    {
        var entry = (await store.ListQueueAsync([QueueState.Queued, QueueState.Launched], ct)).FirstOrDefault(q => q.QueueId == id || q.RunId == id);
        if (entry is not null)
        {
            await store.UpdateQueueAsync(entry.QueueId, QueueState.Cancelled, entry.RunId, ct);
            return $"queued run {id} of {entry.Pipeline} cancelled: no server runs, and the next trib serve will not start it.";
        }
        var run = await store.GetRunAsync(id, ct) ?? throw new CliException($"no run or queued run '{id}'. List runs with 'trib runs'.");
        if (run.Status is not (RunStatus.Queued or RunStatus.Running))
            throw new CliException($"run {id} already ended ({Name(run.Status)}); nothing to cancel.");
        throw new CliException($"run {id} is executed by another trib process (trib run), not by a server: stop it with Ctrl+C where it runs.");
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
