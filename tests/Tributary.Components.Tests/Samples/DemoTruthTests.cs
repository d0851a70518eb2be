using Tributary.Components.Samples.DemoStore;

namespace Tributary.Components.Tests.Samples;

/// <summary>The generator's two truths of channel credit: the Shapley split and the counterfactual incremental one.</summary>
public sealed class DemoTruthTests
{
    private static bool[] Touching(params string[] channels) => DemoTruth.Channels.Select(c => channels.Contains(c.Name)).ToArray();
    private static int Index(string channel) => DemoTruth.Channels.Select((c, i) => (c, i)).Single(x => x.c.Name == channel).i;

    [Fact]
    public void Incremental_NoTouch_CreditsNoChannel()
    {
        Assert.Empty(DemoTruth.Incremental(Touching(), variantB: false));
        Assert.Empty(DemoTruth.Credit(Touching(), variantB: false));
    }

    [Fact]
    public void Incremental_OneChannel_IsItsShareOfTheConversionChance()
    {
        // P = 1 − 0.98·0.88 = 0.1376; without paid search 0.02: lost 0.1176 / 0.1376. Shapley gives it the whole conversion.
        var lost = DemoTruth.Incremental(Touching("paid_search"), variantB: false);

        Assert.Equal(0.1176 / 0.1376, lost[Index("paid_search")], 1e-12);
        Assert.Equal(1.0, DemoTruth.Credit(Touching("paid_search"), variantB: false)[Index("paid_search")], 1e-12);
    }

    [Fact]
    public void Incremental_TwoChannels_IsTheChanceOnlyThatChannelCaused_NoShapleySplit()
    {
        // Noisy-OR with base 0.02, paid search 0.12, email 0.09: P(S) = 1 − 0.98·0.88·0.91 = 0.215216.
        // Lost without a channel = P(S) − P(S ∖ c) = its effect times every other cause failing, over P(S).
        var touched = Touching("paid_search", "email");
        var lost = DemoTruth.Incremental(touched, variantB: false);
        var shapley = DemoTruth.Credit(touched, variantB: false);

        Assert.Equal(0.12 * 0.98 * 0.91 / 0.215216, lost[Index("paid_search")], 1e-12);   // 0.49725
        Assert.Equal(0.09 * 0.98 * 0.88 / 0.215216, lost[Index("email")], 1e-12);         // 0.36064
        // Both would have converted some journeys alone, and the base rate some: what is lost sums below the one conversion.
        Assert.True(lost.Values.Sum() < 1);
        // The Shapley truth splits the whole conversion, in another ratio than the counterfactual.
        Assert.Equal(1.0, shapley.Values.Sum(), 1e-12);
        Assert.NotEqual(lost[Index("paid_search")] / lost[Index("email")], shapley[Index("paid_search")] / shapley[Index("email")], 1e-3);
    }
}
