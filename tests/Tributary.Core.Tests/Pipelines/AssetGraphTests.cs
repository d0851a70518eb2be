using Tributary.Core.Pipelines;

namespace Tributary.Core.Tests.Pipelines;

public sealed class AssetGraphTests
{
    private static AssetGraph Diamond() => new([
        ("report", ["joined"]), ("orders", []), ("customers", []), ("joined", ["orders", "customers"]), ("other", []),
    ]);

    [Fact]
    public void TopologicalOrder_Diamond_PutsInputsFirstAndKeepsFileOrderOtherwise() =>
        Assert.Equal(["orders", "customers", "joined", "report", "other"], Diamond().TopologicalOrder());

    [Fact]
    public void AncestorsAndDescendants_AreTransitive()
    {
        var g = Diamond();
        Assert.Equal(["customers", "joined", "orders"], g.Ancestors("report").Order());
        Assert.Equal(["joined", "report"], g.Descendants("orders").Order());
        Assert.Empty(g.Descendants("report"));
    }

    [Fact]
    public void FindCycle_ThreeNodeCycle_ReturnsClosedPath()
    {
        var g = new AssetGraph([("a", ["c"]), ("b", ["a"]), ("c", ["b"])]);
        Assert.Equal(["a", "c", "b", "a"], g.FindCycle());
        Assert.Throws<InvalidOperationException>(() => g.TopologicalOrder());
    }

    [Fact]
    public void FindCycle_Acyclic_ReturnsNull() => Assert.Null(Diamond().FindCycle());

    [Fact]
    public void FindCycleAndTopologicalOrder_ChainOfTwoHundredThousand_DoNotOverflowTheStack()
    {
        // Each node reads the one before it, listed last first: the walk goes as deep as the chain is long.
        const int n = 200_000;
        var g = new AssetGraph(Enumerable.Range(0, n).Reverse().Select(i => ($"a{i}", (IReadOnlyList<string>)(i == 0 ? [] : [$"a{i - 1}"]))));

        Assert.Null(g.FindCycle());
        Assert.Equal(Enumerable.Range(0, n).Select(i => $"a{i}"), g.TopologicalOrder());
    }

    [Fact]
    public void FindCycle_LongCycle_ReturnsTheWholeClosedPath()
    {
        const int n = 200_000;
        var g = new AssetGraph(Enumerable.Range(0, n).Select(i => ($"a{i}", (IReadOnlyList<string>)[$"a{(i + 1) % n}"])));

        var cycle = g.FindCycle()!;
        Assert.Equal(n + 1, cycle.Count);
        Assert.Equal(["a0", "a1"], cycle.Take(2));
        Assert.Equal("a0", cycle[^1]);
    }
}
