using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Hosting;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;
using Tributary.Server;
using Tributary.Server.Security;

namespace Tributary.Cli.Commands;

/// <summary><c>trib serve [--host H] [--port P]</c>: the daemon, the REST API and the web UI in one process, until stopped.</summary>
internal static class ServeCommand
{
    public static Command Create(CliContext cli)
    {
        var host = new Option<string?>("--host") { Description = "Address to bind (default: server.host in tributary.yaml, else 127.0.0.1). Anything but loopback needs TRIBUTARY_TOKEN." };
        var port = new Option<int?>("--port") { Description = "Port (default: server.port in tributary.yaml, else 8080; 0 picks a free one)." };
        var concurrency = new Option<int>("--max-runs") { Description = "Runs executing at once. Default 2.", DefaultValueFactory = _ => 2 };
        var logFormat = TributaryHost.LogFormatOption();
        var command = new Command("serve", "Run the scheduler, sensors, run queue and backfills, with the REST API and web UI.") { host, port, concurrency, logFormat };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            if (ServerConnection.Find(project) is { } other)
            {
                other.Dispose();
                throw new CliException($"'trib serve' is already running for this project (see {project.Relative(project.ServerFile)}).");
            }
            var options = new ServerOptions
            {
                Host = parse.GetValue(host) ?? project.Settings.ServerHost,
                Port = parse.GetValue(port) ?? project.Settings.ServerPort,
                Token = Environment.GetEnvironmentVariable("TRIBUTARY_TOKEN"),
                StaticFiles = Path.Combine(AppContext.BaseDirectory, "wwwroot"),
                MaxQueryAnswerBytes = project.Settings.ServerQueryMaxMb * 1024L * 1024,
            };
            try
            {
                options.Validate();
            }
            catch (Exception e) when (e is InvalidOperationException or ArgumentOutOfRangeException)
            {
                throw new CliException(e.Message);
            }
            if (project.Settings.ServerWriteSecret) options = options with { WriteSecret = WriteSecret.LoadOrCreate(project.WriteSecretFile) };
            var compose = await TributaryHost.ComposeAsync(cli, project, new DaemonScope(new DaemonOptions { MaxConcurrentRuns = parse.GetValue(concurrency) }),
                parse.GetValue(logFormat), ct);
            await using var server = TributaryServer.Create(options, IntakeHost.With(compose, project));
            var log = server.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tributary.Serve");
            await server.StartAsync(ct);
            ServerConnection.Announce(project, server.Address);
            var guard = options.Token is not null ? " (bearer token required)"
                : options.WriteSecret is not null ? $" (changes need the write secret in {project.Relative(project.WriteSecretFile)})" : "";
            log.Serving(project.Settings.Directory, server.Address, guard);
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                log.Stopping();
            }
            finally
            {
                // The host's own shutdown timeout bounds the daemon's stop.
                await server.StopAsync(CancellationToken.None);
                File.Delete(project.ServerFile);
            }
            return ExitCodes.Success;
        }));
        return command;
    }
}
