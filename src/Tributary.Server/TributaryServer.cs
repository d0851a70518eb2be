using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server.Api;

namespace Tributary.Server;

/// <summary>
/// <c>trib serve</c>: one process hosting the daemon (schedules, sensors, run queue, backfills), the REST API under
/// <c>/api</c> and the web UI's static files. Stopping it (Ctrl+C, SIGTERM) stops launching, cancels running runs
/// (their tables keep the previous version) and puts them back in the queue for the next start.
/// </summary>
public sealed class TributaryServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TributaryServer(WebApplication app, Daemon daemon)
    {
        _app = app;
        Daemon = daemon;
    }

    /// <summary>The daemon this server hosts.</summary>
    public Daemon Daemon { get; }

    /// <summary>The address it listens on, once started.</summary>
    public Uri Address => new(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

    /// <summary>Builds the server for <paramref name="project"/>.</summary>
    public static TributaryServer Create(TributaryProject project, ServerOptions options, DaemonOptions daemonOptions, TimeProvider time, Action<string> log)
    {
        options.Validate();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls($"http://{(options.Host.Contains(':', StringComparison.Ordinal) ? $"[{options.Host}]" : options.Host)}:{options.Port}");
        builder.Services.Configure<JsonOptions>(o =>
        {
            o.SerializerOptions.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
            o.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
        });
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(30));
        var app = builder.Build();

        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var daemon = new Daemon(_ => Task.FromResult<IReadOnlyList<PipelineSpec>>(LoadAll(project, log)), project.Orchestration, project.Runs,
            new SensorEvaluator(project.Warehouse, project.Runs, project.Directory, project.AllowedPaths),
            new QueuedRunLauncher(project.LoadPipeline, project.Catalog, project.Warehouse, project.Runs, project.Orchestration,
                new ExecutorOptions(project.Parallelism), project.Directory, time, project.AllowedPaths).LaunchAsync,
            new FailureAlerts(http, Environment.GetEnvironmentVariable, log), daemonOptions, time, log);

        app.Use(TokenAuthentication.Require(options.Token));
        if (options.StaticFiles is { } folder && Directory.Exists(folder))
        {
            var files = new PhysicalFileProvider(Path.GetFullPath(folder));
            app.UseDefaultFiles(new DefaultFilesOptions { FileProvider = files });
            app.UseStaticFiles(new StaticFileOptions { FileProvider = files });
        }
        var api = app.MapGroup("/api");
        api.MapGet("/health", () => new { status = "ok" });
        PipelinesApi.Map(api, project, daemon, log);
        RunsApi.Map(api, project, daemon);
        BackfillsApi.Map(api, project, daemon);
        DesignerApi.Map(api, project);

        var loop = new CancellationTokenSource();
        Task? running = null;
        app.Lifetime.ApplicationStarted.Register(() => running = daemon.RunAsync(loop.Token));
        app.Lifetime.ApplicationStopping.Register(() =>
        {
            loop.Cancel();
            running?.GetAwaiter().GetResult();
        });
        return new TributaryServer(app, daemon);
    }

    /// <summary>Starts listening and the daemon.</summary>
    public Task StartAsync(CancellationToken cancellationToken) => _app.StartAsync(cancellationToken);

    /// <summary>Serves until <paramref name="cancellationToken"/> or a shutdown signal.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        await _app.StartAsync(cancellationToken).ConfigureAwait(false);
        await _app.WaitForShutdownAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops gracefully.</summary>
    public Task StopAsync(CancellationToken cancellationToken) => _app.StopAsync(cancellationToken);

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _app.DisposeAsync();

    // Pipelines that fail to load are left out of scheduling, with the reason logged.
    private static List<PipelineSpec> LoadAll(TributaryProject project, Action<string> log)
    {
        var specs = new List<PipelineSpec>();
        foreach (var name in project.PipelineNames())
        {
            try
            {
                specs.Add(project.LoadPipeline(name, new Dictionary<string, string>(), null));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log($"pipeline {name} is not scheduled: {e.Message}");
            }
        }
        return specs;
    }
}
