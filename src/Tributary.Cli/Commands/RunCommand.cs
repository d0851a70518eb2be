using System.CommandLine;
using Spectre.Console;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Core.Diagnostics;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server.Contracts;

namespace Tributary.Cli.Commands;

/// <summary><c>trib run PIPELINE [--select S] [--partition KEY] [--param k=v] [--full-refresh]</c>: executes a pipeline with live progress; exit 2 when it fails.</summary>
internal static class RunCommand
{
    public static Command Create(CliContext cli)
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Pipeline name (its file in pipelines/) or path." };
        var select = new Option<string?>("--select", "-s") { Description = "Assets to run: ids, +id (with upstream), id+ (with downstream), group:NAME (a group of the pipeline), comma-separated." };
        var partition = new Option<string?>("--partition")
        {
            Description = "Run one partition: of a partitioned pipeline (which needs one, unless its partitions have a time column), or with --select group:NAME of a partitioned group; its assets replace only that partition.",
        };
        var param = new Option<string[]>("--param") { Description = "Override a template param: name=value. Repeatable.", AllowMultipleArgumentsPerToken = false };
        var fullRefresh = new Option<bool>("--full-refresh")
        {
            Description = "Reload from scratch: each selected source forgets its files ledger, raw rows and rejected rows and loads every file at its path again "
                + "(files gone from the path leave the table). Replaced in the step's own transaction: a failed load keeps what was there.",
        };
        var command = new Command("run", "Run a pipeline (or selected assets) on the project's warehouse.") { pipeline, select, partition, param, fullRefresh };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            if (ServerConnection.Find(project) is { } server)
                using (server)
                {
                    PreCheck(() => Load(cli, project, parse.GetValue(pipeline)!, parse.GetValue(select), ParseParams(parse.GetValue(param) ?? []), parse.GetValue(partition)));
                    return (await RunOnServerAsync(cli, server, parse.GetValue(pipeline)!, parse.GetValue(select), parse.GetValue(partition),
                        ParseParams(parse.GetValue(param) ?? []), ct, fullRefresh: parse.GetValue(fullRefresh))).Status == RunStatus.Succeeded ? ExitCodes.Success : ExitCodes.RunFailed;
                }
            var result = await RunAsync(cli, project, parse.GetValue(pipeline)!, parse.GetValue(select), ParseParams(parse.GetValue(param) ?? []),
                RunProgress.TerminalAttached, ct, parse.GetValue(partition), fullRefresh: parse.GetValue(fullRefresh));
            return result.Status == RunStatus.Succeeded ? ExitCodes.Success : ExitCodes.RunFailed;
        }));
        return command;
    }

    // 'trib serve' owns the warehouse: the run goes through its queue (recorded as triggered by the cli), and its events stream back here.
    public static async Task<(RunStatus Status, string RunId)> RunOnServerAsync(CliContext cli, ServerConnection server, string pipeline, string? selection, string? partition,
        Dictionary<string, string> parameters, CancellationToken ct, bool hint = true, bool fullRefresh = false)
    {
        var queued = await server.SubmitRunAsync(new RunSubmission(pipeline, Partition: partition, Params: parameters, Selection: selection, FullRefresh: fullRefresh, Trigger: "cli"), ct);
        cli.Error.WriteLine($"submitted to the running server (queue {queued.QueueId})");
        string? runId = null;
        try
        {
            while (runId is null)
            {
                var entry = await server.GetQueuedRunAsync(queued.QueueId, ct);
                runId = entry.RunId;
                if (runId is null && entry.State is QueueState.Cancelled) throw new CliException($"queued run {queued.QueueId} was cancelled before it started.");
                if (runId is null) await Task.Delay(200, ct);
            }
            var ended = await server.FollowRunAsync(runId, e => cli.Error.WriteLine($"{e.Asset ?? ""} {e.Message}".Trim()), ct);
            var status = ended.Status.ToString().ToLowerInvariant();
            cli.Error.WriteLine(hint ? $"run {runId} {status}. Details: trib runs show {runId}" : $"run {runId} {status}.");
            return (ended.Status, runId);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Ctrl+C stops a handed-over run as it stops a run of this process: the server cancels it.
            return await CancelOnServerAsync(cli, server, queued.QueueId, runId);
        }
    }

    // Within the 60 s trib gives a cancelled command (TribApp): the cancel is asked, then the run followed to its end.
    private static async Task<(RunStatus Status, string RunId)> CancelOnServerAsync(CliContext cli, ServerConnection server, string queueId, string? runId)
    {
        using var limit = new CancellationTokenSource(TimeSpan.FromSeconds(45));
        cli.Error.WriteLine(runId is null ? $"cancelling queued run {queueId} on the server…" : $"cancelling run {runId} on the server…");
        if (runId is null) await server.CancelQueuedAsync(queueId, limit.Token);
        else
            try
            {
                await server.CancelRunAsync(runId, limit.Token);
            }
            catch (CliException)
            {
                // It ended meanwhile (409): following it says how.
            }
        runId ??= (await server.GetQueuedRunAsync(queueId, limit.Token)).RunId;
        if (runId is null)
        {
            cli.Error.WriteLine($"queued run {queueId} cancelled before it started.");
            return (RunStatus.Cancelled, queueId);
        }
        try
        {
            var ended = await server.FollowRunAsync(runId, _ => { }, limit.Token);
            cli.Error.WriteLine(ended.Status == RunStatus.Cancelled
                ? $"run {runId} cancelled on the server; every table keeps its previous version."
                : $"run {runId} {ended.Status.ToString().ToLowerInvariant()} before the cancel reached it. Details: trib runs show {runId}");
            return (ended.Status, runId);
        }
        catch (OperationCanceledException) when (limit.IsCancellationRequested)
        {
            cli.Error.WriteLine($"run {runId} is still stopping on the server; see trib runs show {runId}");
            return (RunStatus.Cancelled, runId);
        }
    }

    /// <summary>
    /// Checks a pipeline here before handing it to the running server, so that a mistake is shown at its line in the file, as
    /// without a server. An environment variable this shell lacks is left to the server, whose environment the run uses.
    /// </summary>
    public static void PreCheck(Action load)
    {
        try
        {
            load();
        }
        catch (PipelineException e) when (e.Diagnostics.Where(d => !d.IsWarning).All(d => d.Code == DiagnosticCodes.UndefinedEnv))
        {
        }
    }

    // The pipeline with its params, selection and partition applied: a PipelineException names the file's line, other mistakes their option.
    private static (PipelineSpec Spec, PartitionWindow? Window) Load(CliContext cli, ProjectSession project, string name, string? selection,
        IReadOnlyDictionary<string, string> parameters, string? partition)
    {
        try
        {
            var spec = PartitionedPipelines.Load((n, p, v) => project.LoadPipeline(n, p, v), name, parameters, partition, cli.Time.GetUtcNow(), selection);
            return (spec, partition is null ? null : PartitionedPipelines.TablePartitionOf(spec, selection, partition, cli.Time.GetUtcNow()).Window);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            throw new CliException(e.Message);
        }
    }

    public static Dictionary<string, string> ParseParams(IEnumerable<string> values)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values)
        {
            var eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new CliException($"--param '{v}': expected name=value.");
            result[v[..eq]] = v[(eq + 1)..];
        }
        return result;
    }

    public static async Task<RunResult> RunAsync(CliContext cli, ProjectSession project, string name, string? selection,
        IReadOnlyDictionary<string, string> parameters, bool live, CancellationToken cancellationToken, string? partition = null, bool hint = true, bool fullRefresh = false)
    {
        project.BeginOpening(cancellationToken);
        var (spec, window) = Load(cli, project, name, selection, parameters, partition);
        // The load's warnings (an unset on_failure or *_env variable, at its line) are said first, before what can keep the run from
        // starting (the warehouse or the pipeline in use elsewhere); the run's log records them too, and plain output skips them there.
        var warnings = RunRequest.LoadWarnings(spec.Warnings, project.Settings.Directory);
        foreach (var line in warnings)
            cli.Error.WriteLine(line);
        var warehouse = await project.WarehouseAsync(cancellationToken);
        var store = await project.StoreAsync(cancellationToken);
        foreach (var id in project.RecoveredRuns)
            cli.Error.WriteLine($"run {id} was left running by a process that died; marked failed (tables kept their previous version)");
        var events = new RunEventHub(store);
        var executor = new RunExecutor(project.Catalog, warehouse, store, new ExecutorOptions(project.Settings.Parallelism), cli.Time, events, project.HttpClients);
        var progress = new RunProgress(cli.Error, live, warnings);
        // The display follows the run-event channel; the run returns only after its last event is delivered.
        var subscription = events.Subscribe(null);
        var shown = progress.FollowAsync(subscription.Reader);
        var request = new RunRequest
        {
            Selection = selection, ProjectDirectory = project.Settings.Directory, AllowedPaths = project.Settings.AllowedPaths, Partition = partition, PartitionWindow = window,
            Params = parameters, FullRefresh = fullRefresh, Warnings = warnings,
        };

        async Task<RunResult> ExecuteAsync()
        {
            try
            {
                return await executor.ExecuteAsync(spec, request, cancellationToken);
            }
            catch (PipelineAlreadyRunningException e)
            {
                throw new CliException(e.Message);
            }
            finally
            {
                subscription.Dispose();
                await shown;
            }
        }
        RunResult result;
        try
        {
            result = live ? await ShowLiveAsync(cli, progress, ExecuteAsync()) : await ExecuteAsync();
        }
        catch (RunStoreUnavailableException)
        {
            // Not even recorded (the store was gone when the run began): it alerts all the same, as the daemon does.
            await project.Alerts(cli.Error).SendAsync(spec, FailureAlerts.RunFailed(spec.Name, partition, null, "(not recorded)"), CancellationToken.None);
            throw;
        }

        cli.Error.WriteLine(result.Status switch
        {
            RunStatus.Succeeded => hint ? $"run {result.RunId} succeeded. Next: trib show ASSET, trib runs show {result.RunId}" : $"run {result.RunId} succeeded.",
            RunStatus.Cancelled => $"run {result.RunId} cancelled; every table keeps its previous version.",
            _ => $"run {result.RunId} failed: {result.Error}\n  details: trib runs show {result.RunId}",
        });
        // As the daemon alerts for the runs it launches: on_failure does not depend on who ran the pipeline.
        if (result.Status is not (RunStatus.Succeeded or RunStatus.Cancelled))
            await project.Alerts(cli.Error).SendAsync(spec, FailureAlerts.RunFailed(spec.Name, partition, result, result.RunId), CancellationToken.None);
        return result;
    }

    // A step table redrawn while the run goes; drawn a last time once every event is shown.
    private static async Task<RunResult> ShowLiveAsync(CliContext cli, RunProgress progress, Task<RunResult> run)
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(cli.Error) });
        await console.Live(progress.Render()).StartAsync(async ctx =>
        {
            while (!run.IsCompleted)
            {
                ctx.UpdateTarget(progress.Render());
                await Task.WhenAny(run, Task.Delay(100, CancellationToken.None));
            }
            ctx.UpdateTarget(progress.Render());
        });
        return await run;
    }
}
