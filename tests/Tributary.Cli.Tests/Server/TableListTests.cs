using Microsoft.Extensions.Time.Testing;
using Tributary.Server.Api;
using Tributary.Testing;
using Tributary.Warehouse;

namespace Tributary.Cli.Tests.Server;

/// <summary>The table list behind GET /api/assets: read again when the run history's stamp changes or the list is old.</summary>
public sealed class TableListTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Get_SameStampWhileFresh_KeepsTheList_ANewStampOrAnOldListReadsAgain()
    {
        await using var warehouse = await WarehouseFactory.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), null, Ct);
        var time = new FakeTimeProvider();
        var tables = new TableList(warehouse, time);
        Assert.Empty(await tables.GetAsync(1, Ct));

        await warehouse.ExecuteAsync("CREATE TABLE a (x INTEGER)", null, Ct);
        Assert.Empty(await tables.GetAsync(1, Ct));
        Assert.Equal(["a"], await tables.GetAsync(2, Ct));

        // A table written outside pipelines leaves the stamp alone: it is listed once the list is MaxAge old.
        await warehouse.ExecuteAsync("CREATE TABLE b (x INTEGER)", null, Ct);
        time.Advance(TableList.MaxAge - TimeSpan.FromTicks(1));
        Assert.Equal(["a"], await tables.GetAsync(2, Ct));
        time.Advance(TimeSpan.FromTicks(1));
        Assert.Equal(["a", "b"], await tables.GetAsync(2, Ct));
    }

    [Fact]
    public async Task Get_ManyAtOnceWithANewStamp_AllSeeTheTablesOfThatStamp()
    {
        await using var warehouse = await WarehouseFactory.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), null, Ct);
        var tables = new TableList(warehouse, new FakeTimeProvider());
        Assert.Empty(await tables.GetAsync(1, Ct));
        await warehouse.ExecuteAsync("CREATE TABLE a (x INTEGER)", null, Ct);

        var lists = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => tables.GetAsync(2, Ct)));

        Assert.All(lists, l => Assert.Equal(["a"], l));
    }
}
