using Tributary.Server.Api;
using Tributary.Server.Contracts;

namespace Tributary.Cli.Tests.Server;

/// <summary>Lists of profiles merged since the recommendations were built, served under the surviving profile.</summary>
public sealed class MergedRecommendationsTests
{
    private static RecommendedItem[] List(params string[] skus) => [.. skus.Select((s, i) => new RecommendedItem(i + 1, s, 1.0 / (i + 1), "als", null))];

    [Fact]
    public void Combine_NoMerges_IsTheListsAsBuilt()
    {
        var lists = new Dictionary<string, RecommendedItem[]> { ["p_1"] = List("A") };

        Assert.Equal(lists, MergedRecommendations.Combine(lists, new Dictionary<string, string>()));
    }

    [Fact]
    public void Combine_SurvivorWithoutAList_GetsTheMergedOnesAsItWas()
    {
        var lists = new Dictionary<string, RecommendedItem[]> { ["p_2"] = List("A", "B") };

        var combined = MergedRecommendations.Combine(lists, new Dictionary<string, string> { ["p_2"] = "p_1" });

        Assert.Equal(List("A", "B"), combined["p_1"]);
        Assert.Equal(List("A", "B"), combined["p_2"]);
    }

    [Fact]
    public void Combine_AChainOfMergesWithLists_InterleavedRankByRank_OwnFirst_EachSkuOnce_AsLongAsTheLongest()
    {
        // p_3 went into p_2, then p_2 into p_1: all three are one person now.
        var lists = new Dictionary<string, RecommendedItem[]> { ["p_1"] = List("A", "B", "C"), ["p_2"] = List("B", "D"), ["p_3"] = List("E", "A", "F") };

        var combined = MergedRecommendations.Combine(lists, new Dictionary<string, string> { ["p_3"] = "p_2", ["p_2"] = "p_1" });

        Assert.Equal(["A", "B", "E"], combined["p_1"].Select(i => i.Sku));
        Assert.Equal([1, 2, 3], combined["p_1"].Select(i => i.Rank));
        Assert.Equal(1.0 / 1, combined["p_1"][2].Score); // E keeps the score it had on p_3's list
        Assert.Equal(List("B", "D"), combined["p_2"]);
    }

    [Fact]
    public void Combine_ACycleInAHandEditedMergesTable_Ends()
    {
        var lists = new Dictionary<string, RecommendedItem[]> { ["p_1"] = List("A"), ["p_2"] = List("B") };

        var combined = MergedRecommendations.Combine(lists, new Dictionary<string, string> { ["p_1"] = "p_2", ["p_2"] = "p_1" });

        Assert.Equal(2, combined.Count);
    }
}
