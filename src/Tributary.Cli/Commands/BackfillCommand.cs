using System.CommandLine;
using Tributary.Cli.Projects;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server.Contracts;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib backfill PIPELINE --from A --to B [--concurrency N]</c>: materializes a range of partitions. With 'trib serve'
/// running it is handed to the server (and survives this command); otherwise it runs here until done.
/// </summary>
internal static class BackfillCommand
{
    public static Command Create(CliContext cli)
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Partitioned pipeline." };
        var from = new Option<string>("--from") { Description = "First partition key (e.g. 2025-01-01).", Required = true };
        var to = new Option<string>("--to") { Description = "Last partition key, inclusive.", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = "Partitions running at once. Default 2.", DefaultValueFactory = _ => 2 };
        var param = new Option<string[]>("--param") { Description = "Override a template param: name=value. Repeatable." };
        var command = new Command("backfill", "Materialize a range of a partitioned pipeline's partitions.") { pipeline, from, to, concurrency, param };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var name = parse.GetValue(pipeline)!;
            var parameters = RunCommand.ParseParams(parse.GetValue(param) ?? []);
            if (ServerConnection.Find(project) is { } server)
            {
                using (server)
                {
                    var started = await server.StartBackfillAsync(new BackfillSubmission(name, parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(concurrency), parameters), ct);
                    cli.Error.WriteLine($"backfill {started.BackfillId} handed to the running server; follow it with GET /api/backfills/{started.BackfillId}");
                    return ExitCodes.Success;
                }
            }
            var spec = project.LoadPipeline(name, parameters);
            var warehouse = await project.WarehouseAsync(ct);
            var store = (SqliteRunStore)await project.StoreAsync(ct);
            // A daemon for this backfill alone: no schedules or sensors of any pipeline run here.
            var daemon = new Daemon(_ => Task.FromResult<IReadOnlyList<Core.Pipelines.PipelineSpec>>([spec with { Schedule = null, Sensors = [] }]), store, store,
                new SensorEvaluator(warehouse, store, project.Settings.Directory, project.Settings.AllowedPaths),
                new QueuedRunLauncher((n, p, partition) => project.LoadPipeline(n, p, partition), project.Catalog, warehouse, store, store,
                    new ExecutorOptions(project.Settings.Parallelism), project.Settings.Directory, cli.Time, project.Settings.AllowedPaths).LaunchAsync,
                new FailureAlerts(new HttpClient(), Environment.GetEnvironmentVariable, cli.Error.WriteLine), new DaemonOptions { MaxConcurrentRuns = parse.GetValue(concurrency) }, cli.Time, cli.Error.WriteLine);
            var id = await daemon.StartBackfillAsync(spec, parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(concurrency), parameters, ct);
            while (true)
            {
                await daemon.TickAsync(ct);
                var backfill = (await store.GetBackfillAsync(id, ct))!;
                if (backfill.Status != BackfillStatus.Running) break;
                await Task.Delay(200, ct);
            }
            await daemon.WhenIdleAsync();
            var partitions = await store.GetBackfillPartitionsAsync(id, ct);
            foreach (var p in partitions.Where(p => p.Status != PartitionRunStatus.Succeeded))
                cli.Error.WriteLine($"  {p.Key}: {p.Status.ToString().ToLowerInvariant()}{(p.RunId is null ? "" : $" (trib runs show {p.RunId})")}");
            var ok = partitions.All(p => p.Status == PartitionRunStatus.Succeeded);
            cli.Error.WriteLine($"backfill {id}: {partitions.Count(p => p.Status == PartitionRunStatus.Succeeded)} of {partitions.Count} partition(s) materialized");
            return ok ? ExitCodes.Success : ExitCodes.RunFailed;
        }));
        return command;
    }
}
