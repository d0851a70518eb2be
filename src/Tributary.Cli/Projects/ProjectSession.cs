using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Tributary.Components;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Cli.Hosting;
using Tributary.Cli.Output;
using Tributary.Warehouse;
using Tributary.Warehouse.Postgres;
using Tributary.Cli;

namespace Tributary.Cli.Projects;

/// <summary>A project opened for one command: settings, catalog, and (on demand) the warehouse and run store.</summary>
internal sealed class ProjectSession : IAsyncDisposable
{
    private Task<IWarehouse>? _warehouse;
    private Task<IProjectRunStore>? _store;
    private ServiceProvider? _http;

    private readonly TimeProvider _time;
    private readonly TextWriter _error;
    private static readonly string[] PipelineExtensions = [".yaml", ".yml"];

    private ProjectSession(ProjectSettings settings, TimeProvider time, TextWriter error)
    {
        Settings = settings;
        _time = time;
        // The warehouse and the store may be opening on the thread pool (BeginOpening) while the command writes here too.
        _error = TextWriter.Synchronized(error);
    }

    public ProjectSettings Settings { get; }
    public ComponentCatalog Catalog { get; } = BuiltInComponents.CreateCatalog();

    /// <summary>
    /// Opens the project in <paramref name="directory"/>. Without its tributary.yaml this is not a project, and nothing
    /// is created there (no warehouse file); <paramref name="settingsRequired"/> false is for commands that only read
    /// files the user names. The alerts of runs recovered on opening the store, and trouble sending them, go to <paramref name="error"/>.
    /// </summary>
    public static ProjectSession Open(string directory, TimeProvider time, bool settingsRequired = true, TextWriter? error = null)
    {
        if (!Directory.Exists(directory)) throw new CliException($"project folder '{directory}' does not exist. Run 'trib init {directory}' to create one.");
        if (settingsRequired && !File.Exists(Path.Combine(directory, ProjectSettings.FileName)))
            throw new CliException($"there is no {ProjectSettings.FileName} in {Path.GetFullPath(directory)}, so it is not a Tributary project. " +
                $"Pass --project DIR, or run 'trib init{(directory == "." ? "" : " " + directory)}' to make it one (or 'trib quickstart' for a demo project).");
        var settings = ProjectSettings.Load(directory);
        error ??= TextWriter.Null;
        if (File.Exists(Path.Combine(settings.Directory, ProjectSettings.FileName))) MakeStatePrivate(settings.Directory, error);
        return new ProjectSession(settings, time, error);
    }

    /// <summary>
    /// Creates the project's <c>.tributary/</c> folder 700, or makes it so when an older trib (or a umask) left it open to other
    /// local users: the warehouse, run store and intake log in it hold every email and phone. Says so on <paramref name="error"/>.
    /// </summary>
    internal static void MakeStatePrivate(string projectDirectory, TextWriter error)
    {
        var state = Path.Combine(projectDirectory, ProjectPaths.StateFolder);
        if (PrivateFiles.TightenFolder(state) is { } was)
            error.WriteLine($"made {ProjectPaths.StateFolder}/ private (mode {PrivateFiles.Octal(was)} -> {PrivateFiles.Octal(was & PrivateFiles.FolderMode)}): " +
                "it holds the warehouse, the run store and the secrets, which no other local user should read.");
        PrivateFiles.CreateFolder(state);
    }

    /// <summary>Pipeline files of the project, sorted.</summary>
    public IReadOnlyList<string> PipelineFiles() =>
        Directory.Exists(Settings.PipelinesDirectory)
            ? Directory.GetFiles(Settings.PipelinesDirectory, "*.yaml").Concat(Directory.GetFiles(Settings.PipelinesDirectory, "*.yml")).Order(StringComparer.Ordinal).ToList()
            : [];

    /// <summary>A pipeline by name (its file in the pipelines folder) or by path.</summary>
    public string ResolvePipelineFile(string nameOrPath)
    {
        if (File.Exists(nameOrPath)) return Path.GetFullPath(nameOrPath);
        var found = PipelineExtensions.Select(ext => Path.Combine(Settings.PipelinesDirectory, nameOrPath + ext)).Where(File.Exists).ToList();
        // Neither file wins silently: 'trib validate' reports the pair (TRIB0211) and the run is refused until one goes.
        if (found.Count > 1)
            throw new CliException($"two files define pipeline '{nameOrPath}': {Relative(found[0])} and {Relative(found[1])}. Remove or rename one of them.");
        if (found.Count == 1) return found[0];
        var names = PipelineFiles().Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        throw new CliException($"no pipeline '{nameOrPath}' in {Relative(Settings.PipelinesDirectory)}.{NameSuggestion.Format(nameOrPath, names)}" +
            (names.Count == 0 ? " Add one with 'trib templates add NAME'." : $" Pipelines: {string.Join(", ", names)}."));
    }

    public PipelineSpec LoadPipeline(string nameOrPath, IReadOnlyDictionary<string, string> parameters, IReadOnlyDictionary<string, string>? partition = null)
    {
        var file = ResolvePipelineFile(nameOrPath);
        return new PipelineLoader(Catalog).LoadFile(file, new LoadOptions
        {
            ParamOverrides = parameters, Partition = partition, NamedAfterFile = IsPipelineFile(file), ReservedEnvironment = ReservedEnvironment, Paths = Settings.Paths,
            Timezone = Settings.Timezone,
        }).GetPipelineOrThrow();
    }

    /// <summary>The variables tributary.yaml names for Tributary's own connection strings, which no pipeline may read (<see cref="LoadOptions.ReservedEnvironment"/>).</summary>
    public IReadOnlySet<string> ReservedEnvironment =>
        new[] { Settings.PostgresEnv, Settings.RunStorePostgresEnv }.OfType<string>().ToHashSet(StringComparer.Ordinal);

    /// <summary>True for a file of the project's pipelines folder, which the project knows by its file name (<see cref="LoadOptions.NamedAfterFile"/>).</summary>
    public bool IsPipelineFile(string path) =>
        string.Equals(Path.GetDirectoryName(Path.GetFullPath(path)), Path.GetFullPath(Settings.PipelinesDirectory).TrimEnd(Path.DirectorySeparatorChar), StringComparison.Ordinal);

    /// <summary>Names of the project's pipelines (their file names), each once.</summary>
    public IReadOnlyList<string> PipelineNames() => PipelineFiles().Select(Path.GetFileNameWithoutExtension).OfType<string>().Distinct(StringComparer.Ordinal).ToList();

    /// <summary>Where a running 'trib serve' for this project says it listens.</summary>
    public string ServerFile => Path.Combine(Path.GetDirectoryName(Settings.RunStorePath)!, "server.json");

    /// <summary>The per-install secret that API writes carry, beside <see cref="ServerFile"/> (mode 600).</summary>
    public string WriteSecretFile => Path.Combine(Path.GetDirectoryName(ServerFile)!, "write-secret");

    public string Relative(string path) => Path.GetRelativePath(Settings.Directory, path);

    /// <summary>HTTP clients for talking to a running 'trib serve', made on first use and pooled for the session.</summary>
    public IHttpClientFactory HttpClients => (_http ??= new ServiceCollection().AddHttpClient()
        .AddHttpClient(FailureAlerts.HttpClientName, c => c.Timeout = FailureAlerts.Timeout).Services.BuildServiceProvider()).GetRequiredService<IHttpClientFactory>();

    /// <summary>
    /// The <c>on_failure</c> alerts of runs this command executes itself (no server), as 'trib serve' sends them; the alert
    /// and any trouble posting it are written to <paramref name="error"/>.
    /// </summary>
    public FailureAlerts Alerts(TextWriter error) =>
        new(HttpClients, Environment.GetEnvironmentVariable, new Logger<FailureAlerts>(new LoggerFactory([new TextLoggerProvider(error, _time, LogFormat.Text)])));

    /// <summary>Runs that a dead process left "running", found and marked failed (and alerted for) when the store was opened.</summary>
    public IReadOnlyList<string> RecoveredRuns { get; private set; } = [];

    /// <summary>
    /// Starts opening the warehouse and the run store on the thread pool, for a command that will need both and has its own work
    /// to do first (a run loading its pipeline): DuckDB's library and file and SQLite's journal take ~0.2 s that the pipeline's
    /// load then hides. Their errors come where <see cref="WarehouseAsync"/> and <see cref="StoreAsync"/> are awaited; a
    /// command that fails before that reports its own error, and <see cref="DisposeAsync"/> closes what was opened.
    /// </summary>
    public void BeginOpening(CancellationToken cancellationToken)
    {
        _warehouse ??= Task.Run(() => OpenWarehouseAsync(cancellationToken), cancellationToken);
        _store ??= Task.Run(() => OpenStoreAsync(cancellationToken), cancellationToken);
    }

    /// <summary>The warehouse; on DuckDB, staging tables a dead process left behind are dropped on open.</summary>
    public Task<IWarehouse> WarehouseAsync(CancellationToken cancellationToken) => _warehouse ??= OpenWarehouseAsync(cancellationToken);

    /// <summary>The run store; runs left "running" by a process that died are marked failed on open, each with its on_failure alert.</summary>
    public Task<IProjectRunStore> StoreAsync(CancellationToken cancellationToken) => _store ??= OpenStoreAsync(cancellationToken);

    private async Task<IWarehouse> OpenWarehouseAsync(CancellationToken cancellationToken)
    {
        IWarehouse warehouse;
        string? postgres = null;
        if (Settings.PostgresEnv is { } env)
            postgres = Environment.GetEnvironmentVariable(env) is { Length: > 0 } cs ? cs
                : throw new CliException($"tributary.yaml names warehouse.postgres_env '{env}', but that environment variable is not set.");
        try
        {
            // DuckDB's file functions reach only the project and allowed_paths, whatever SQL a pipeline holds.
            warehouse = await WarehouseFactory.OpenAsync(Settings.DuckDbPath, postgres, Settings.Paths.Roots, Settings.DuckDbMemoryLimit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (postgres is null && e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException($"the warehouse {Relative(Settings.DuckDbPath)} is in use by another process (another 'trib run' or 'trib backfill', or 'trib serve': a DuckDB file has one writer; with 'trib serve' running, 'trib run' hands the run to it): {e.Message}");
        }
        catch (Exception e) when (postgres is not null && e is System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException or ArgumentException)
        {
            throw new CliException($"cannot open the PostgreSQL warehouse named by warehouse.postgres_env '{Settings.PostgresEnv}' in tributary.yaml: {e.Message.TrimEnd('.')}. Check the connection string in that variable and that the server is running.");
        }
        try
        {
            // This process owns the DuckDB file, so any staging table in it is from a process that died mid-write.
            if (postgres is null) await warehouse.DropAbandonedStagingAsync(cancellationToken).ConfigureAwait(false);
            // Said once per process, where it connects: the role decides what a pipeline's SQL can reach on the database server.
            else
            {
                if (await PostgresSchemaCheck.ProblemAsync(warehouse, cancellationToken).ConfigureAwait(false) is { } schema)
                {
                    if (schema.IsError) throw new CliException($"{schema.Message} (warehouse.postgres_env '{Settings.PostgresEnv}' in tributary.yaml)");
                    _error.WriteLine(schema.Message);
                }
                if (await PostgresRoleCheck.WarningAsync(warehouse, cancellationToken).ConfigureAwait(false) is { } warning) _error.WriteLine(warning);
            }
            return warehouse;
        }
        catch
        {
            await warehouse.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    private async Task<IProjectRunStore> OpenStoreAsync(CancellationToken cancellationToken)
    {
        IProjectRunStore store;
        try
        {
            store = await ProjectRunStore.OpenAsync(Settings, Environment.GetEnvironmentVariable, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Settings.RunStorePostgresEnv is { } env && e is not RunStoreTooNewException
            && e is InvalidOperationException or System.Data.Common.DbException or System.Net.Sockets.SocketException or TimeoutException or ArgumentException)
        {
            throw new CliException(e is InvalidOperationException { InnerException: null } ? e.Message
                : $"cannot open the PostgreSQL run store named by run_store.postgres_env '{env}' in tributary.yaml: {e.Message.TrimEnd('.')}. Check the connection string in that variable and that the server is running.");
        }
        try
        {
            RecoveredRuns = await AbandonedRuns.FailAndAlertAsync(store, LocalProcess.IsAlive, PipelineOf, Alerts(_error), _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
            return store;
        }
        catch
        {
            await store.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    // A recovered run's pipeline for its alert: with the run's params, else the file's defaults; null when it no longer loads.
    internal PipelineSpec? PipelineOf(RunRecord run)
    {
        foreach (var parameters in new[] { run.Params, null })
        {
            try
            {
                return LoadPipeline(run.Pipeline, parameters ?? new Dictionary<string, string>());
            }
            catch (Exception e) when (e is CliException or PipelineException or ArgumentException or InvalidOperationException or IOException)
            {
                // Tried again without the run's params; a pipeline that is gone has no alert to send.
            }
        }
        return null;
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync(_store).ConfigureAwait(false);
        await CloseAsync(_warehouse).ConfigureAwait(false);
        if (_http is not null) await _http.DisposeAsync().ConfigureAwait(false);
    }

    // An opening that failed was reported where it was awaited, or never awaited because the command failed first.
    private static async ValueTask CloseAsync<T>(Task<T>? opening) where T : IAsyncDisposable
    {
        if (opening is null) return;
        await ((Task)opening).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        if (opening.IsCompletedSuccessfully) await opening.Result.DisposeAsync().ConfigureAwait(false);
    }
}
