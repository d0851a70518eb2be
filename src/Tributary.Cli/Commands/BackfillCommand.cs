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
/// <c>trib backfill PIPELINE [--group G] --from A --to B [--concurrency N]</c>: materializes a range of partitions (of the
/// pipeline, or of its partitioned group G); <c>--resume ID</c> runs a backfill's failed partitions again (or carries on
/// with one left running). With 'trib serve' running it is handed to the server (and survives this command); otherwise it
/// runs here until done. <c>trib backfill status ID</c> shows one (<see cref="BackfillStatusCommand"/>).
/// </summary>
internal static class BackfillCommand
{
    public static Command Create(CliContext cli)
    {
        var pipeline = new Argument<string>("pipeline") { Description = "Partitioned pipeline, or the pipeline of the partitioned group given with --group." };
        var group = new Option<string?>("--group") { Description = "Backfill this partitioned group of the pipeline: each partition is a run of the group's assets only." };
        var from = new Option<string?>("--from") { Description = "First partition key (e.g. 2025-01-01, or 2025-01-01T00:00 for hours)." };
        var to = new Option<string?>("--to") { Description = "Last partition key, inclusive." };
        var resume = new Option<string?>("--resume")
        {
            Description = "Carry on with backfill ID instead of starting one: its failed and cancelled partitions run again (one left running, by Ctrl+C, goes on).",
        };
        var concurrency = new Option<int>("--concurrency") { Description = "Partitions running at once. Default 2.", DefaultValueFactory = _ => 2 };
        var param = new Option<string[]>("--param") { Description = "Override a template param: name=value. Repeatable." };
        var logFormat = TributaryHost.LogFormatOption();
        var command = new Command("backfill", "Materialize a range of the partitions of a partitioned pipeline, or of one of its partitioned groups.")
        {
            pipeline, group, from, to, resume, concurrency, param, logFormat,
        };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            var resumed = parse.GetValue(resume);
            if (resumed is null && (parse.GetValue(from) is null || parse.GetValue(to) is null))
                throw new CliException("give the partitions to backfill with --from and --to, or a backfill to carry on with --resume ID.");
            await using var project = cli.Open(parse);
            var name = parse.GetValue(pipeline)!;
            var parameters = RunCommand.ParseParams(parse.GetValue(param) ?? []);
            if (ServerConnection.Find(project) is { } server)
            {
                using (server)
                {
                    if (resumed is not null)
                    {
                        await server.RetryBackfillAsync(resumed, ct);
                        cli.Error.WriteLine($"backfill {resumed} resumed on the running server; follow it with: trib backfill status {resumed} --follow");
                        return ExitCodes.Success;
                    }
                    RunCommand.PreCheck(() => project.LoadPipeline(name, parameters));
                    var started = await server.StartBackfillAsync(new BackfillSubmission(name, parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(concurrency), parameters,
                        parse.GetValue(group)), ct);
                    cli.Error.WriteLine($"backfill {started.BackfillId} handed to the running server; follow it with: trib backfill status {started.BackfillId} --follow");
                    return ExitCodes.Success;
                }
            }
            var options = new DaemonOptions { MaxConcurrentRuns = parse.GetValue(concurrency) };
            if (resumed is not null)
            {
                // The backfill's own pipeline, params and concurrency, as it was started.
                var record = await (await project.StoreAsync(ct)).GetBackfillAsync(resumed, ct) ?? throw new CliException($"no backfill '{resumed}' in this project.");
                if (record.Pipeline != name) throw new CliException($"backfill {resumed} is of pipeline '{record.Pipeline}', not '{name}'.");
                parameters = new Dictionary<string, string>(record.Params);
                options = new DaemonOptions { MaxConcurrentRuns = record.Concurrency };
            }
            var spec = project.LoadPipeline(name, parameters);
            // The daemon 'trib serve' runs, composed the same way, but for this pipeline's backfill alone: no schedules or sensors.
            var compose = await TributaryHost.ComposeAsync(cli, project, new DaemonScope(options, spec), parse.GetValue(logFormat), ct);
            using var host = TributaryHost.BuildHost(compose);
            var daemon = host.Services.GetRequiredService<Daemon>();
            var store = host.Services.GetRequiredService<IOrchestrationStore>();
            var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tributary.Backfill");
            string id;
            if (resumed is null) id = await daemon.StartBackfillAsync(spec, parse.GetValue(from)!, parse.GetValue(to)!, parse.GetValue(concurrency), parameters, ct, parse.GetValue(group));
            else
            {
                id = resumed;
                if ((await store.GetBackfillAsync(id, ct))!.Status != BackfillStatus.Running) await daemon.RetryFailedAsync(id, ct);
            }
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
            if (!ok) log.BackfillResumable(id, name);
            return ok ? ExitCodes.Success : ExitCodes.RunFailed;
        }));
        command.Subcommands.Add(BackfillStatusCommand.Create(cli));
        return command;
    }
}
