using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Hosting;
using Tributary.Cli.Projects;
using Tributary.Cluster;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib worker [--port P] [--gateway-port G] [--name N]</c>: an Orleans silo on loopback that joins the worker cluster
/// of the project's PostgreSQL run store and runs the (asset, partition) attempts placed on it, until Ctrl+C or SIGTERM.
/// </summary>
internal static class WorkerCommand
{
    public static Command Create(CliContext cli)
    {
        var port = new Option<int>("--port") { Description = "Silo port on 127.0.0.1 (silo-to-silo traffic). Default 11111.", DefaultValueFactory = _ => 11111 };
        var gatewayPort = new Option<int>("--gateway-port") { Description = "Gateway port on 127.0.0.1 (where runs place attempts). Default: --port + 10000.", DefaultValueFactory = _ => 0 };
        var name = new Option<string?>("--name") { Description = "This worker's name in the attempts it records. Default worker-HOST-PORT." };
        var logFormat = TributaryHost.LogFormatOption();
        var command = new Command("worker", "Join the project's worker cluster and run the partition steps placed on it.") { port, gatewayPort, name, logFormat };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var settings = project.Settings;
            if (settings.RunStorePostgresEnv is not { } env || Environment.GetEnvironmentVariable(env) is not { Length: > 0 } connectionString)
                throw new CliException("'trib worker' needs the project's PostgreSQL run store, where the cluster's membership lives: " +
                    "set run_store: { postgres_env: NAME } in tributary.yaml and that variable in this process's environment.");
            if (settings.PostgresEnv is null)
                throw new CliException("'trib worker' needs a PostgreSQL warehouse (warehouse: { postgres_env: NAME }): a DuckDB file can be written by one process only.");
            var siloPort = CheckPort(parse.GetValue(port), "--port");
            var gateway = parse.GetValue(gatewayPort) is var g && g != 0 ? CheckPort(g, "--gateway-port") : CheckPort(siloPort + 10000, "--port + 10000");
            var worker = new WorkerIdentity(parse.GetValue(name) ?? $"worker-{Environment.MachineName}-{siloPort}");
            var cluster = settings.Workers?.ClusterId ?? new Core.Projects.WorkerSettings().ClusterId;

            // The run store is opened (and migrated) first: its migrations create the membership tables the silo needs.
            var store = await project.StoreAsync(ct);
            var warehouse = await project.WarehouseAsync(ct);
            var ledger = store as IAttemptLedger ?? throw new CliException("the run store does not issue attempt epochs; a PostgreSQL run store is needed.");
            var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
            builder.Services.AddLogging(logging => logging
                .AddProvider(new TextLoggerProvider(cli.Error, cli.Time, parse.GetValue(logFormat)))
                .SetMinimumLevel(LogLevel.Information)
                // Orleans' own chatter stays out unless something is wrong.
                .AddFilter("Orleans", LogLevel.Warning)
                .AddFilter("Polly", LogLevel.Warning)
                .AddFilter("Microsoft", LogLevel.Warning));
            builder.UseOrleans(silo => silo.UseWorker(connectionString, cluster, siloPort, gateway, worker,
                _ => new StepAttemptRunner((pipeline, parameters, partition) => project.LoadPipeline(pipeline, parameters, partition), project.Catalog, warehouse, ledger,
                    settings.Directory, cli.Time, settings.AllowedPaths, project.HttpClients)));
            using var host = builder.Build();
            var log = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tributary.Worker");
            await host.StartAsync(ct);
            log.WorkerJoined(worker.Name, cluster, siloPort, gateway);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                log.WorkerLeaving(worker.Name);
            }
            finally
            {
                // Leaving cleanly marks this silo dead in the membership table at once, so no attempt waits for it to time out.
                await host.StopAsync(CancellationToken.None);
            }
            return ExitCodes.Success;
        }));
        return command;
    }

    private static int CheckPort(int port, string what) =>
        port is >= 1 and <= 65535 ? port : throw new CliException($"{what} must be a port between 1 and 65535, got {port}.");
}
