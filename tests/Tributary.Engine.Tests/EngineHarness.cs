using Tributary.Components;
using Tributary.Core.Components;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests;

/// <summary>A fresh warehouse, run store and project folder for one test.</summary>
public sealed class EngineHarness : IAsyncDisposable
{
    private EngineHarness(TempDirectory temp, IWarehouse warehouse, IRunStore store)
    {
        Temp = temp;
        Warehouse = warehouse;
        Store = store;
    }

    public static ComponentCatalog Catalog { get; } = BuiltInComponents.CreateCatalog().Add<ProbeComponent, ProbeParameters>();
    public TempDirectory Temp { get; }
    public IWarehouse Warehouse { get; }
    public IRunStore Store { get; }
    public List<RunEvent> Events { get; } = [];

    public static async Task<EngineHarness> CreateAsync(string engine, PostgresCluster postgres)
    {
        var temp = new TempDirectory();
        var warehouse = new ProbeWarehouse(await TestWarehouses.CreateAsync(engine, temp, postgres));
        var store = await SqliteRunStore.OpenAsync(Path.Combine(temp.Path, ".tributary", "runs.db"), CancellationToken.None);
        return new EngineHarness(temp, warehouse, store);
    }

    /// <param name="timezone">The project's reporting zone (tributary.yaml's timezone:).</param>
    public static PipelineSpec Pipeline(string yaml, string timezone = "UTC")
    {
        var result = new PipelineLoader(Catalog).Load(yaml, "test.yaml", new LoadOptions { Environment = _ => null, Timezone = timezone });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Pipeline!;
    }

    public Task<RunResult> RunAsync(string yaml, string? select = null, int parallelism = 4, CancellationToken cancellationToken = default) =>
        new RunExecutor(Catalog, Warehouse, Store, new ExecutorOptions(parallelism), TimeProvider.System)
            .ExecuteAsync(Pipeline(yaml), new RunRequest { Selection = select, ProjectDirectory = Temp.Path, Observer = e => { lock (Events) Events.Add(e); } },
                cancellationToken);

    public async Task<long> ScalarAsync(string sql) =>
        Convert.ToInt64(await Warehouse.ScalarAsync(sql, null, CancellationToken.None), System.Globalization.CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        await Warehouse.DisposeAsync();
        Temp.Dispose();
    }
}
