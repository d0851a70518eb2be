using Microsoft.Extensions.DependencyInjection;
using Tributary.Components;
using Tributary.Core.Loading;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests;

/// <summary>Runs pipelines of real components against a fresh warehouse and project folder.</summary>
public sealed class ComponentHarness : IAsyncDisposable
{
    private ComponentHarness(TempDirectory temp, IWarehouse warehouse, IRunStore store)
    {
        Temp = temp;
        Warehouse = warehouse;
        Store = store;
    }

    public TempDirectory Temp { get; }
    public IWarehouse Warehouse { get; }
    public IRunStore Store { get; }
    // HTTP clients as a host gives them, for the components that call out.
    private readonly ServiceProvider _http = new ServiceCollection().AddHttpClient().BuildServiceProvider();

    /// <summary>A harness on a new PostgreSQL database whose text sorts by the ICU collation <paramref name="icuLocale"/> (e.g. en-US).</summary>
    public static async Task<ComponentHarness> CreateOnCollatedPostgresAsync(PostgresCluster postgres, string icuLocale)
    {
        var temp = new TempDirectory();
        var warehouse = await Tributary.Warehouse.Postgres.PostgresWarehouse.OpenAsync(await postgres.NewDatabaseAsync(icuLocale), CancellationToken.None);
        return new ComponentHarness(temp, warehouse, await SqliteRunStore.OpenAsync(Path.Combine(temp.Path, ".tributary", "runs.db"), CancellationToken.None));
    }

    /// <param name="wrap">Wraps the engine's warehouse (to trace the SQL components send it, say).</param>
    public static async Task<ComponentHarness> CreateAsync(string engine, PostgresCluster postgres, Func<IWarehouse, IWarehouse>? wrap = null)
    {
        var temp = new TempDirectory();
        var warehouse = await TestWarehouses.CreateAsync(engine, temp, postgres);
        return new ComponentHarness(temp, wrap is null ? warehouse : wrap(warehouse),
            await SqliteRunStore.OpenAsync(Path.Combine(temp.Path, ".tributary", "runs.db"), CancellationToken.None));
    }

    public async Task<RunResult> RunAsync(string yaml, Func<string, string?>? environment = null, IReadOnlyList<string>? allowedPaths = null,
        IReadOnlyDictionary<string, string>? parameters = null, bool fullRefresh = false, string timezone = "UTC", TimeProvider? time = null)
    {
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(yaml, "test.yaml", new LoadOptions
        {
            Environment = environment ?? (_ => null), ParamOverrides = parameters ?? new Dictionary<string, string>(), Timezone = timezone,
        });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return await new RunExecutor(BuiltInComponents.CreateCatalog(), Warehouse, Store, new ExecutorOptions(), time ?? TimeProvider.System, http: _http.GetRequiredService<IHttpClientFactory>())
            .ExecuteAsync(result.Pipeline!, new RunRequest { ProjectDirectory = Temp.Path, AllowedPaths = allowedPaths ?? [], Environment = environment ?? (_ => null), FullRefresh = fullRefresh },
                CancellationToken.None);
    }

    /// <summary>As <see cref="RunAsync"/>, stopped when <paramref name="stop"/> is cancelled (the run then ends cancelled).</summary>
    public async Task<RunResult> RunUntilCancelledAsync(string yaml, CancellationToken stop)
    {
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(yaml, "test.yaml", new LoadOptions { Environment = _ => null });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return await new RunExecutor(BuiltInComponents.CreateCatalog(), Warehouse, Store, new ExecutorOptions(), TimeProvider.System, http: _http.GetRequiredService<IHttpClientFactory>())
            .ExecuteAsync(result.Pipeline!, new RunRequest { ProjectDirectory = Temp.Path, Environment = _ => null }, stop);
    }

    public async Task<RunResult> RunFileAsync(string path, IReadOnlyDictionary<string, string>? parameters = null, IReadOnlyList<string>? allowedPaths = null,
        string? selection = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        // With environment, the run sees those variables only; without, the process's.
        Func<string, string?> variables = environment is null ? Environment.GetEnvironmentVariable : name => environment.GetValueOrDefault(name);
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(path, new LoadOptions { ParamOverrides = parameters ?? new Dictionary<string, string>(), Environment = variables });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return await new RunExecutor(BuiltInComponents.CreateCatalog(), Warehouse, Store, new ExecutorOptions(), TimeProvider.System, http: _http.GetRequiredService<IHttpClientFactory>())
            .ExecuteAsync(result.Pipeline!, new RunRequest { ProjectDirectory = Temp.Path, AllowedPaths = allowedPaths ?? [], Selection = selection, Environment = variables }, CancellationToken.None);
    }

    public async Task<IReadOnlyList<object?[]>> RowsAsync(string sql) => (await Warehouse.QueryAsync(sql, null, 10_000, CancellationToken.None)).Rows;

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await _http.DisposeAsync();
        await Warehouse.DisposeAsync();
        Temp.Dispose();
    }
}
