using Tributary.Core.Pipelines;

namespace Tributary.Core.Tests.Pipelines;

/// <summary>The cycle the graph reports is exactly the loop, whatever the search visited before reaching it.</summary>
public sealed class AssetGraphCycleReportTests
{
    [Fact]
    public void FindCycle_AfterAFinishedBranch_ReturnsOnlyTheNodesOnTheLoop()
    {
        // 'a' reads 'done' (no inputs, finished first) and 'b'; 'b' reads 'a'.
        var g = new AssetGraph([("a", ["done", "b"]), ("done", []), ("b", ["a"])]);

        Assert.Equal(["a", "b", "a"], g.FindCycle());
    }

    [Fact]
    public void TopologicalOrder_OnACycle_NamesTheLoopInTheError()
    {
        var g = new AssetGraph([("a", ["c"]), ("b", ["a"]), ("c", ["b"])]);

        var e = Assert.Throws<InvalidOperationException>(() => g.TopologicalOrder());
        Assert.Equal("Cycle: a -> c -> b -> a", e.Message);
    }
}
