using System.Diagnostics;
using Tributary.Components;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Engine.Runs;
using Tributary.Warehouse;
using Tributary.Cli;

namespace Tributary.Cli.Projects;

/// <summary>A project opened for one command: settings, catalog, and (on demand) the warehouse and run store.</summary>
internal sealed class ProjectSession : IAsyncDisposable
{
    private IWarehouse? _warehouse;
    private IRunStore? _store;

    private ProjectSession(ProjectSettings settings) => Settings = settings;

    public ProjectSettings Settings { get; }
    public ComponentCatalog Catalog { get; } = BuiltInComponents.CreateCatalog();

    public static ProjectSession Open(string directory)
    {
        if (!Directory.Exists(directory)) throw new CliException($"project folder '{directory}' does not exist. Run 'trib init {directory}' to create one.");
        return new ProjectSession(ProjectSettings.Load(directory));
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
        foreach (var ext in new[] { ".yaml", ".yml" })
        {
            var candidate = Path.Combine(Settings.PipelinesDirectory, nameOrPath + ext);
            if (File.Exists(candidate)) return candidate;
        }
        var names = PipelineFiles().Select(Path.GetFileNameWithoutExtension).OfType<string>().ToList();
        throw new CliException($"no pipeline '{nameOrPath}' in {Relative(Settings.PipelinesDirectory)}.{NameSuggestion.Format(nameOrPath, names)}" +
            (names.Count == 0 ? " Add one with 'trib templates add NAME'." : $" Pipelines: {string.Join(", ", names)}."));
    }

    public PipelineSpec LoadPipeline(string nameOrPath, IReadOnlyDictionary<string, string> parameters) =>
        new PipelineLoader(Catalog).LoadFile(ResolvePipelineFile(nameOrPath), new LoadOptions { ParamOverrides = parameters }).GetPipelineOrThrow();

    public string Relative(string path) => Path.GetRelativePath(Settings.Directory, path);

    public async Task<IWarehouse> WarehouseAsync(CancellationToken cancellationToken)
    {
        if (_warehouse is not null) return _warehouse;
        string? postgres = null;
        if (Settings.PostgresEnv is { } env)
            postgres = Environment.GetEnvironmentVariable(env) is { Length: > 0 } cs ? cs
                : throw new CliException($"tributary.yaml names warehouse.postgres_env '{env}', but that environment variable is not set.");
        try
        {
            _warehouse = await WarehouseFactory.OpenAsync(Settings.DuckDbPath, postgres, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e.Message.Contains("lock", StringComparison.OrdinalIgnoreCase))
        {
            throw new CliException($"the warehouse {Relative(Settings.DuckDbPath)} is in use by another process (is 'trib serve' running?): {e.Message}");
        }
        return _warehouse;
    }

    /// <summary>The run store, after failing runs whose process died and dropping their staging tables.</summary>
    public async Task<IRunStore> StoreAsync(CancellationToken cancellationToken)
    {
        if (_store is not null) return _store;
        _store = await SqliteRunStore.OpenAsync(Settings.RunStorePath, cancellationToken).ConfigureAwait(false);
        return _store;
    }

    /// <summary>Recovers from a process that died mid-run: its runs are marked failed and its staging tables dropped.</summary>
    public async Task<IReadOnlyList<string>> RecoverAsync(TimeProvider time, CancellationToken cancellationToken)
    {
        var store = await StoreAsync(cancellationToken).ConfigureAwait(false);
        var failed = await store.FailAbandonedRunsAsync(IsAlive, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        // With DuckDB this process owns the file, so any staging table left is from a dead process.
        if (Settings.PostgresEnv is null)
            await (await WarehouseAsync(cancellationToken).ConfigureAwait(false)).DropAbandonedStagingAsync(cancellationToken).ConfigureAwait(false);
        return failed;
    }

    private static bool IsAlive(int pid)
    {
        if (pid == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_store is not null) await _store.DisposeAsync().ConfigureAwait(false);
        if (_warehouse is not null) await _warehouse.DisposeAsync().ConfigureAwait(false);
    }
}
