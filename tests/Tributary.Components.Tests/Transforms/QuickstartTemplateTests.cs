using Tributary.Components.Samples;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Transforms;

/// <summary>The quickstart template end to end, on both engines, against totals computed independently from the files.</summary>
public sealed class QuickstartTemplateTests(PostgresCluster postgres)
{
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Quickstart_RunsEndToEnd_AndRevenueMatchesTheSourceFile(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        QuickstartStore.Write(Path.Combine(h.Temp.Path, "data"), customers: 200, seed: 7);
        var paidRevenue = File.ReadAllLines(Path.Combine(h.Temp.Path, "data/orders.csv")).Skip(1)
            .Select(l => l.Split(',')).Where(f => f[5] == "paid").Sum(f => double.Parse(f[3], System.Globalization.CultureInfo.InvariantCulture));

        var result = await h.RunFileAsync(Path.Combine(RepositoryFiles.Templates, "quickstart.yaml"), new Dictionary<string, string> { ["top_n"] = "5" });

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.All(result.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        Assert.Equal(200, (await h.RowsAsync("SELECT * FROM customer_value")).Count);
        Assert.Equal(paidRevenue, Convert.ToDouble((await h.RowsAsync("SELECT sum(revenue) FROM customer_value"))[0][0]), 1e-6);
        Assert.Equal(6, File.ReadAllLines(Path.Combine(h.Temp.Path, "out/top_customers.csv")).Length);
        var checks = await h.Store.GetChecksAsync(result.RunId, TestContext.Current.CancellationToken);
        Assert.Equal(5, checks.Count);
        Assert.All(checks, c => Assert.True(c.Passed, $"{c.Check}: {c.Detail}"));
    }

    [Fact]
    public void QuickstartStore_SameSeed_WritesTheSameBytes()
    {
        using var a = new TempDirectory();
        using var b = new TempDirectory();
        QuickstartStore.Write(a.Path, 50, seed: 3);
        QuickstartStore.Write(b.Path, 50, seed: 3);
        Assert.Equal(File.ReadAllText(Path.Combine(a.Path, "orders.csv")), File.ReadAllText(Path.Combine(b.Path, "orders.csv")));
    }
}
