using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Hosting;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;
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
        var logFormat = TributaryHost.LogFormatOption();
        var command = new Command("backfill", "Materialize a range of a partitioned pipeline's partitions.") { pipeline, from, to, concurrency, param, logFormat };
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
            // The daemon 'trib serve' runs, composed the same way, but for this pipeline's backfill alone: no schedules or sensors.
            var compose = await TributaryHost.ComposeAsync(cli, project, new DaemonScope(new DaemonOptions { MaxConcurrentRuns = parse.GetValue(concurrency) }, spec),
                parse.GetValue(logFormat), ct);
            using var host = TributaryHost.BuildHost(compose);
            var daemon = host.Services.GetRequiredService<Daemon>();
            var store = host.Services.GetRequiredService<IOrchestrationStore>();
            var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tributary.Backfill");
            var id = await daemon.StartBackfillAsync(spec, parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(concurrency), parameters, ct);
            await host.StartAsync(ct);
            try
            {
                while ((await store.GetBackfillAsync(id, ct))!.Status == BackfillStatus.Running) await Task.Delay(TimeSpan.FromMilliseconds(200), cli.Time, ct);
            }
            finally
            {
                // Ctrl+C: the daemon cancels the running partitions and queues them again; else nothing is left running.
                await host.StopAsync(CancellationToken.None);
            }
            var partitions = await store.GetBackfillPartitionsAsync(id, ct);
            foreach (var p in partitions.Where(p => p.Status != PartitionRunStatus.Succeeded))
                log.PartitionNotMaterialized(p.Key, p.Status.ToString().ToLowerInvariant(), p.RunId is null ? "" : $" (trib runs show {p.RunId})");
            var succeeded = partitions.Count(p => p.Status == PartitionRunStatus.Succeeded);
            var ok = succeeded == partitions.Count;
            var level = ok ? LogLevel.Information : LogLevel.Error;
            log.BackfillDone(level, id, succeeded, partitions.Count);
            return ok ? ExitCodes.Success : ExitCodes.RunFailed;
        }));
        return command;
    }
}
