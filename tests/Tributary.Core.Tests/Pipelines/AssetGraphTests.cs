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
}
