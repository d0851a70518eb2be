using Tributary.Cli.Projects;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Projects;

/// <summary>
/// A run opens the warehouse and the run store while its pipeline loads (<see cref="ProjectSession.BeginOpening"/>): their
/// errors still come where the run needs them, a load error still comes first, and what was opened is closed.
/// </summary>
public sealed class ProjectOpeningTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private async Task InitAsync()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), """
            pipeline: hello
            components:
              - { id: numbers, type: transform.sql, with: { sql: "SELECT 1 AS n" } }
            """);
    }

    [Fact]
    public async Task BeginOpening_FailedAndNeverAwaited_DisposingTheSessionDoesNotThrowIt()
    {
        await InitAsync();
        ProjectSettingsFile.UsePostgresWarehouse(Path.Combine(Project, "tributary.yaml"), "TRIB_TEST_UNSET_WAREHOUSE_1B7E");
        var session = ProjectSession.Open(Project, TimeProvider.System);
        session.BeginOpening(Ct);

        // A command that failed first (its pipeline did not load) disposes the session while that error unwinds.
        var disposing = await Record.ExceptionAsync(async () => await session.DisposeAsync());
        await using var again = ProjectSession.Open(Project, TimeProvider.System);
        again.BeginOpening(Ct);
        var awaited = await Assert.ThrowsAsync<CliException>(() => again.WarehouseAsync(Ct));

        Assert.Null(disposing);
        Assert.Contains("TRIB_TEST_UNSET_WAREHOUSE_1B7E", awaited.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BeginOpening_BothOpened_AreTheOnesTheCommandAwaits()
    {
        await InitAsync();
        await using var session = ProjectSession.Open(Project, TimeProvider.System);

        session.BeginOpening(Ct);
        var warehouse = await session.WarehouseAsync(Ct);
        var store = await session.StoreAsync(Ct);

        Assert.Same(warehouse, await session.WarehouseAsync(Ct));
        Assert.Same(store, await session.StoreAsync(Ct));
        Assert.Equal(1L, Convert.ToInt64(await warehouse.ScalarAsync("SELECT 1", null, Ct), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task Run_WarehouseThatCannotOpen_SaysSoAndAPipelineThatDoesNotLoadSaysThatFirst()
    {
        await InitAsync();
        // Opening fails on the thread pool, beside the pipeline's load.
        ProjectSettingsFile.UsePostgresWarehouse(Path.Combine(Project, "tributary.yaml"), "TRIB_TEST_UNSET_WAREHOUSE_1B7E");

        var missing = await Trib.RunAsync("run", "helo", "--project", Project);
        var unopened = await Trib.RunAsync("run", "hello", "--project", Project);

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("no pipeline 'helo'", missing.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("TRIB_TEST_UNSET_WAREHOUSE_1B7E", missing.Error, StringComparison.Ordinal);
        Assert.Equal(1, unopened.ExitCode);
        Assert.Contains("tributary.yaml names warehouse.postgres_env 'TRIB_TEST_UNSET_WAREHOUSE_1B7E', but that environment variable is not set.", unopened.Error, StringComparison.Ordinal);
    }
}
