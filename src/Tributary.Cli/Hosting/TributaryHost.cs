using System.CommandLine;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Core.Components;
using Tributary.Core.Pipelines;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server;

namespace Tributary.Cli.Hosting;

/// <summary>
/// The one composition root of trib's long-running commands: <c>trib serve</c> puts it into its web host and
/// <c>trib backfill</c> into a plain host, so both run the same daemon over the same services (settings, warehouse,
/// run store, catalog, run-event channel, HTTP clients, clock and logging); only the <see cref="DaemonScope"/> differs.
/// </summary>
internal static class TributaryHost
{
    /// <summary>The <c>--log-format</c> option of the commands that host the daemon.</summary>
    public static Option<LogFormat> LogFormatOption() => new("--log-format")
    {
        Description = "Log as text lines (default) or as one JSON object a line (json), for a log collector.",
        DefaultValueFactory = _ => LogFormat.Text,
    };

    /// <summary>
    /// Opens the project's warehouse and run store (the session keeps owning them) and returns what registers the
    /// services into a host builder.
    /// </summary>
    public static async Task<Action<IHostApplicationBuilder>> ComposeAsync(CliContext cli, ProjectSession project, DaemonScope scope, LogFormat format,
        CancellationToken cancellationToken)
    {
        var warehouse = await project.WarehouseAsync(cancellationToken).ConfigureAwait(false);
        var store = await project.StoreAsync(cancellationToken).ConfigureAwait(false);
        return builder => Register(builder, cli, project, warehouse, store, scope, format);
    }

    /// <summary>A plain host (no web server) with the composed services, for commands that run the daemon alone.</summary>
    public static IHost BuildHost(Action<IHostApplicationBuilder> compose)
    {
        // Empty: no configuration files, environment variables or logging providers of its own.
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        compose(builder);
        return builder.Build();
    }

    private static void Register(IHostApplicationBuilder builder, CliContext cli, ProjectSession project, IWarehouse warehouse, IProjectRunStore store,
        DaemonScope scope, LogFormat format)
    {
        var services = builder.Services;
        services.AddLogging(logging => logging
            .AddProvider(new TextLoggerProvider(cli.Error, cli.Time, format))
            .SetMinimumLevel(LogLevel.Information)
            // The framework's request and client chatter stays out unless something is wrong.
            .AddFilter("Microsoft", LogLevel.Warning)
            .AddFilter("System.Net.Http", LogLevel.Warning)
            // A host that fails to start throws to the command, which reports it once as a user or internal error.
            .AddFilter("Microsoft.Extensions.Hosting", LogLevel.Critical));
        services.AddSingleton(cli.Time);
        services.AddSingleton(project.Settings);
        services.AddSingleton(project.Catalog);
        services.AddSingleton(warehouse);
        services.AddSingleton(store);
        services.AddSingleton<IRunStore>(store);
        services.AddSingleton<IOrchestrationStore>(store);
        services.AddSingleton(sp => new RunEventHub(sp.GetRequiredService<IRunStore>()));
        services.AddHttpClient();
        services.AddHttpClient(FailureAlerts.HttpClientName, c => c.Timeout = FailureAlerts.Timeout);
        services.AddSingleton(sp => new FailureAlerts(sp.GetRequiredService<IHttpClientFactory>(), Environment.GetEnvironmentVariable, sp.GetRequiredService<ILogger<FailureAlerts>>()));
        services.AddSingleton(sp => new QueuedRunLauncher((name, parameters, partition) => project.LoadPipeline(name, parameters, partition),
            sp.GetRequiredService<ComponentCatalog>(), sp.GetRequiredService<IWarehouse>(), sp.GetRequiredService<IRunStore>(), sp.GetRequiredService<IOrchestrationStore>(),
            new ExecutorOptions(project.Settings.Parallelism) { Placement = sp.GetService<IStepPlacement>() }, project.Settings.Directory, sp.GetRequiredService<TimeProvider>(), project.Settings.AllowedPaths,
            sp.GetRequiredService<RunEventHub>(), sp.GetRequiredService<IHttpClientFactory>(), sp.GetRequiredService<ILogger<Daemon>>()));
        services.AddSingleton(sp =>
        {
            var settings = sp.GetRequiredService<ProjectSettings>();
            var log = sp.GetRequiredService<ILogger<Daemon>>();
            var reported = new HashSet<string>(StringComparer.Ordinal);
            IReadOnlyList<PipelineSpec> Pipelines() => scope.Only is { } only ? [only with { Schedule = null, Sensors = [] }] : LoadAll(project, log, reported);
            return new Daemon(_ => Task.FromResult(Pipelines()), sp.GetRequiredService<IOrchestrationStore>(), sp.GetRequiredService<IRunStore>(),
                new SensorEvaluator(sp.GetRequiredService<IWarehouse>(), sp.GetRequiredService<IRunStore>(), settings.Directory, settings.AllowedPaths),
                sp.GetRequiredService<QueuedRunLauncher>().LaunchAsync, sp.GetRequiredService<FailureAlerts>(), scope.Options, sp.GetRequiredService<TimeProvider>(), log);
        });
        if (project.Settings.Workers is { } workers) WorkerClient.Register(builder, project.Settings, workers);
        services.AddHostedService<DaemonService>();
        services.AddHostedService(sp => new RetentionService(store, project.Settings.Retention, sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<RetentionService>>()));
        services.AddSingleton(sp => new TributaryProject
        {
            Directory = project.Settings.Directory, AllowedPaths = project.Settings.AllowedPaths, ControlPaths = project.Settings.ControlPaths, Catalog = sp.GetRequiredService<ComponentCatalog>(),
            Warehouse = sp.GetRequiredService<IWarehouse>(), Runs = sp.GetRequiredService<IRunStore>(), Orchestration = sp.GetRequiredService<IOrchestrationStore>(),
            Parallelism = project.Settings.Parallelism, Timezone = project.Settings.Timezone,
            LoadPipeline = (name, parameters, partition) => project.LoadPipeline(name, parameters, partition),
            PipelineNames = project.PipelineNames,
            PipelinesDirectory = project.Settings.PipelinesDirectory,
            Templates = TemplateLibrary.Names.ToDictionary(n => n, n => TemplateLibrary.Read(n)!),
        });
    }

    // Pipelines that fail to load are left out of scheduling, with the reason logged once (the daemon asks every tick).
    private static List<PipelineSpec> LoadAll(ProjectSession project, ILogger log, HashSet<string> reported)
    {
        var specs = new List<PipelineSpec>();
        foreach (var name in project.PipelineNames())
        {
            try
            {
                var spec = project.LoadPipeline(name, new Dictionary<string, string>());
                specs.Add(spec);
                // Said at start (the first tick), not found after a failure whose alert could not go out.
                if (spec.OnFailure is { } alert && !AlertSpec.IsWebhookUrl(Environment.GetEnvironmentVariable(alert.WebhookUrlEnv)))
                    lock (reported)
                        if (reported.Add($"{name}\non_failure")) log.AlertUrlNotUsable(name, alert.WebhookUrlEnv);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                lock (reported)
                    if (reported.Add($"{name}\n{e.Message}")) log.PipelineNotScheduled(e, name);
            }
        }
        // Two pipelines writing one table differently replace each other's rows: said at start, as trib validate says it.
        var relative = (string f) => Path.GetRelativePath(project.Settings.Directory, f);
        foreach (var line in RunRequest.LoadWarnings(ProjectDefinitions.Compare(specs, relative), project.Settings.Directory))
            lock (reported)
                if (reported.Add(line)) log.ProjectWarning(line);
        return specs;
    }
}
