using Tributary.Analytics.Attribution;

namespace Tributary.Analytics.Tests.Attribution;

public sealed class AttributionTests
{
    private static ConversionPath P(bool converted, params string[] channels) => new(channels, converted);

    private static Dictionary<string, double> ByChannel(IEnumerable<ChannelCredit> credit) => credit.ToDictionary(c => c.Channel, c => c.Conversions);

    [Fact]
    public void Markov_HandComputedCase_GivesPublishedSplit()
    {
        // C1>C2>C3 converts; C1 and C2>C3 do not. P(conv) = 1/3; removal effects 0.5, 1, 1 → 0.2, 0.4, 0.4.
        var result = MarkovAttribution.Compute([P(true, "C1", "C2", "C3"), P(false, "C1"), P(false, "C2", "C3")]);

        Assert.Equal(1.0 / 3, result.ConversionProbability, 1e-12);
        Assert.Equal(0.5, result.RemovalEffects["C1"], 1e-12);
        var credit = ByChannel(result.Credit);
        Assert.Equal(0.2, credit["C1"], 1e-12);
        Assert.Equal(0.4, credit["C2"], 1e-12);
        Assert.Equal(0.4, credit["C3"], 1e-12);
    }

    [Fact]
    public void Markov_LoopsInPaths_AreSolvedExactly()
    {
        // A returns to itself: the chain has a cycle, which a simulation would only approximate.
        var result = MarkovAttribution.Compute([P(true, "A", "A", "B"), P(false, "A"), P(true, "B")]);
        // start→A 2/3, start→B 1/3; A→A 1/3, A→B 1/3, A→null 1/3; B→conv 1. P(A reaches B) = (1/3)/(1 − 1/3) = 1/2.
        Assert.Equal(2.0 / 3 * 0.5 + 1.0 / 3, result.ConversionProbability, 1e-12);
        Assert.Equal(2, result.Credit.Sum(c => c.Conversions), 1e-12);
    }

    [Fact]
    public void Markov_HigherOrder_UsesChannelPairsAsStates()
    {
        var paths = new[] { P(true, "A", "B"), P(false, "B", "A"), P(true, "A", "B"), P(false, "A") };
        var first = MarkovAttribution.Compute(paths, order: 1);
        var second = MarkovAttribution.Compute(paths, order: 2);
        Assert.True(second.States > first.States);
        // A>B converts every time, B>A never: second order sees it exactly.
        Assert.Equal(0.5, second.ConversionProbability, 1e-12);
        Assert.Equal(2, second.Credit.Sum(c => c.Conversions), 1e-12);
    }

    [Fact]
    public void Markov_HigherOrder_StatesAreTheirJoinedNames()
    {
        // "a>b" then "c" and "a" then "b>c" both end in the state named a>b>c: one state, as its name says.
        var paths = new[] { P(true, "a>b", "c"), P(false, "a", "b>c") };
        var second = MarkovAttribution.Compute(paths, order: 2);
        // From-states: (start), a>b, a, a>b>c.
        Assert.Equal(4, second.States);
        Assert.Equal(0.5, second.ConversionProbability, 1e-12);
    }

    [Fact]
    public void Markov_LargeChains_IterativeSolveMatchesTheDenseSolve()
    {
        // Order 3 over 8 channels with repeats and loops: hundreds of states.
        var random = new Random(3);
        var paths = Enumerable.Range(0, 3000).Select(_ => new ConversionPath(
            Enumerable.Range(0, 1 + random.Next(8)).Select(_ => $"c{random.Next(8)}").ToList(), random.NextDouble() < 0.3)).ToList();

        var dense = MarkovAttribution.Compute(paths, 3, denseLimit: int.MaxValue);
        var iterative = MarkovAttribution.Compute(paths, 3, denseLimit: 0);

        Assert.True(dense.States > 400, $"{dense.States} states");
        Assert.Equal(dense.ConversionProbability, iterative.ConversionProbability, 1e-11);
        foreach (var (channel, effect) in dense.RemovalEffects) Assert.Equal(effect, iterative.RemovalEffects[channel], 1e-10);
    }

    [Fact]
    public void Shapley_ExactEqualsZhaoSimplifiedForm()
    {
        var paths = new[] { P(true, "A", "B"), P(true, "A"), P(true, "B", "C", "A"), P(false, "C"), P(true, "C") };
        var exact = ByChannel(ShapleyAttribution.Compute(paths, ShapleyValueFunction.Conversions).Credit);
        var simplified = ByChannel(ShapleyAttribution.Simplified(paths).Credit);
        // By hand: A = 1/2 + 1 + 1/3, B = 1/2 + 1/3, C = 1/3 + 1.
        Assert.Equal(1.5 + 1.0 / 3, exact["A"], 1e-12);
        Assert.Equal(0.5 + 1.0 / 3, exact["B"], 1e-12);
        Assert.Equal(1 + 1.0 / 3, exact["C"], 1e-12);
        foreach (var c in exact.Keys) Assert.Equal(exact[c], simplified[c], 1e-12);
    }

    [Fact]
    public void ShapleyByConversionRate_TwoChannels_SplitsByMarginalRates()
    {
        // {A}: 2 of 10 convert, {B}: 1 of 10, {A,B}: 4 of 10. For {A,B}: φ_A = ½(0.2 + 0.4 − 0.1) = 0.25,
        // φ_B = ½(0.1 + 0.4 − 0.2) = 0.15, so each of its 4 conversions gives A 0.625 and B 0.375.
        var paths = Repeat(10, 2, "A").Concat(Repeat(10, 1, "B")).Concat(Repeat(10, 4, "A", "B")).ToList();

        var result = ShapleyAttribution.Compute(paths);
        var credit = ByChannel(result.Credit);

        Assert.Equal(2 + 4 * 0.625, credit["A"], 1e-12);
        Assert.Equal(1 + 4 * 0.375, credit["B"], 1e-12);
        Assert.Equal([0.625, 0.375], result.Weights(P(true, "A", "B")), (x, y) => Math.Abs(x - y) < 1e-12);
        // Conversions-based Shapley ignores the non-converting paths and splits {A,B} evenly.
        Assert.Equal(2 + 4 * 0.5, ByChannel(ShapleyAttribution.Compute(paths, ShapleyValueFunction.Conversions).Credit)["A"], 1e-12);
    }

    [Fact]
    public void ShapleyByConversionRate_Weights_SplitAChannelsShareOverItsTouchesAndEvenlyForAnUnseenSet()
    {
        // The two-channel game above: {A,B} gives A 0.625 and B 0.375 whatever the touches' order; B's share is halved over its two touches.
        var paths = Repeat(10, 2, "A").Concat(Repeat(10, 1, "B")).Concat(Repeat(10, 4, "A", "B")).ToList();
        var result = ShapleyAttribution.Compute(paths);

        Assert.Equal([0.1875, 0.625, 0.1875], result.Weights(P(true, "B", "A", "B")), (x, y) => Math.Abs(x - y) < 1e-12);
        Assert.Equal([1.0, 1.0], result.Weights(P(true, "A", "A")).Select(w => w * 2), (x, y) => Math.Abs(x - y) < 1e-12);
        // A channel the game never saw: no shares for its set, so an even split over the path's channels.
        Assert.Equal([0.5, 0.25, 0.25], result.Weights(P(true, "Z", "A", "A")), (x, y) => Math.Abs(x - y) < 1e-12);
    }

    [Fact]
    public void ShapleyByConversionRate_UnseenOrWorseSubsets_TakeTheBestSubsetRate()
    {
        // {A,B,C} is seen, {A,C} and {B,C} are not, and {A,B} converts less than {A}: v({A,B}) = v({A}) = 0.3.
        var paths = Repeat(10, 3, "A").Concat(Repeat(10, 1, "B")).Concat(Repeat(10, 1, "C")).Concat(Repeat(10, 2, "A", "B")).Concat(Repeat(10, 5, "A", "B", "C")).ToList();

        var weights = ShapleyAttribution.Compute(paths).Weights(P(true, "A", "B", "C"));

        // v: A .3, B .1, C .1, AB .3, AC .3, BC .1, ABC .5. φ_A = (.3 + ½·.2 + ½·.2 + ... ) by enumeration below.
        double V(string s) => s switch { "" => 0, "A" or "AB" or "AC" => 0.3, "B" or "C" or "BC" => 0.1, _ => 0.5 };
        var phiA = (V("A") - V("")) / 3 + (V("AB") - V("B")) / 6 + (V("AC") - V("C")) / 6 + (V("ABC") - V("BC")) / 3;
        var phiB = (V("B") - V("")) / 3 + (V("AB") - V("A")) / 6 + (V("BC") - V("C")) / 6 + (V("ABC") - V("AC")) / 3;
        Assert.Equal(phiA / 0.5, weights[0], 1e-12);
        Assert.Equal(phiB / 0.5, weights[1], 1e-12);
        Assert.All(weights, x => Assert.True(x >= 0));
        Assert.Equal(1, weights.Sum(), 1e-12);
    }

    [Fact]
    public void ShapleyByConversionRate_SixPathToy_IsTheMonotoneClosureNotTheExactSetRate()
    {
        // The worked example of docs/attribution.md: ABC, B and AC convert; A, BC and C do not. With v(S) the rate of
        // paths with set exactly S the credit is A 0.833, B 1.333, C 0.833, and A or C joining B lowers v by 1 in some
        // orderings. The product's v(S) is the best rate of S and its subsets: v(AB) = v(BC) = v(B) = 1, so B gets more.
        var paths = new[] { P(true, "A", "B", "C"), P(false, "A"), P(true, "B"), P(false, "B", "C"), P(true, "A", "C"), P(false, "C") };

        var result = ShapleyAttribution.Compute(paths);
        var credit = ByChannel(result.Credit);

        Assert.Equal(2.0 / 3, credit["A"], 1e-12);
        Assert.Equal(5.0 / 3, credit["B"], 1e-12);
        Assert.Equal(2.0 / 3, credit["C"], 1e-12);
        // ABC's own split: B joins first with 1 (a third of orderings) or after A or C alone (a sixth each); A and C only after the other.
        Assert.Equal([1.0 / 6, 2.0 / 3, 1.0 / 6], result.Weights(P(true, "A", "B", "C")), (x, y) => Math.Abs(x - y) < 1e-12);
        Assert.Equal("conversion_rate, exact", result.Method);
    }

    [Fact]
    public void ShapleySimplified_IsLinearOverEachPathsDistinctChannels()
    {
        // Zhao et al.'s closed form gives each converting path's conversion evenly to its distinct channels; linear splits
        // it over touches, so the two differ only where a path repeats a channel.
        var once = new[] { P(true, "A", "B"), P(true, "A", "B", "C"), P(false, "C"), P(true, "C") };
        var repeated = new[] { P(true, "A", "A", "A", "B"), P(true, "C") };

        var linear = ByChannel(RuleBasedAttribution.Compute(once, RuleBasedModel.Linear));
        var simplified = ByChannel(ShapleyAttribution.Simplified(once).Credit);
        Assert.Equal(linear.Keys.Order(), simplified.Keys.Order());
        Assert.All(linear, l => Assert.Equal(l.Value, simplified[l.Key], 1e-12));
        Assert.Equal(0.5, ByChannel(ShapleyAttribution.Simplified(repeated).Credit)["A"], 1e-12);
        Assert.Equal(0.75, ByChannel(RuleBasedAttribution.Compute(repeated, RuleBasedModel.Linear))["A"], 1e-12);
    }

    [Fact]
    public void ShapleyByConversionRate_SeventeenChannelPath_MonteCarloMatchesTheClosedForm()
    {
        // ch00 alone converts half the time, each other channel alone a tenth, all 17 together 0.6. Every other set
        // takes its best subset: 0.5 with ch00, else 0.1. ch00 joins first or last (2/17) adding 0.5, else 0.4:
        // φ = 7/17, a share of (7/17)/0.6 of each conversion of the 17-channel path.
        var channels = Enumerable.Range(0, 17).Select(i => $"ch{i:00}").ToArray();
        var paths = Repeat(10, 5, "ch00").Concat(channels.Skip(1).SelectMany(c => Repeat(10, 1, c))).Concat(Repeat(10, 6, channels)).ToList();

        var result = ShapleyAttribution.Compute(paths, samples: 4000);
        var credit = ByChannel(result.Credit);

        Assert.Contains("monte_carlo(4000)", result.Method, StringComparison.Ordinal);
        var expected = 5 + 6 * (7.0 / 17 / 0.6);
        Assert.True(Math.Abs(credit["ch00"] - expected) < 4 * result.StandardErrors["ch00"] + 1e-9, $"{credit["ch00"]:0.0000} vs {expected:0.0000} ± {result.StandardErrors["ch00"]:0.0000}");
        Assert.True(result.StandardErrors["ch00"] > 0);
        Assert.Equal(paths.Count(p => p.Converted), result.Credit.Sum(c => c.Conversions), 1e-9);
    }

    private static IEnumerable<ConversionPath> Repeat(int paths, int conversions, params string[] channels) =>
        Enumerable.Range(0, paths).Select(i => new ConversionPath(channels, i < conversions));

    [Fact]
    public void Shapley_OverFifteenChannels_MonteCarloIsWithinItsReportedError()
    {
        var random = new Random(8);
        var channels = Enumerable.Range(0, 17).Select(i => $"ch{i:00}").ToArray();
        var paths = Enumerable.Range(0, 400).Select(_ => new ConversionPath(
            channels.Where(_ => random.NextDouble() < 0.2).DefaultIfEmpty(channels[0]).ToList(), random.NextDouble() < 0.5)).ToList();

        var estimate = ShapleyAttribution.Compute(paths, ShapleyValueFunction.Conversions, samples: 3000);
        var truth = ByChannel(ShapleyAttribution.Simplified(paths).Credit);

        Assert.Equal("monte_carlo(3000)", estimate.Method);
        foreach (var c in estimate.Credit)
            Assert.True(Math.Abs(c.Conversions - truth[c.Channel]) < 4 * estimate.StandardErrors[c.Channel] + 1e-9,
                $"{c.Channel}: {c.Conversions:0.000} vs {truth[c.Channel]:0.000} ± {estimate.StandardErrors[c.Channel]:0.000}");
        Assert.Equal(paths.Count(p => p.Converted), estimate.Credit.Sum(c => c.Conversions), 1e-9);
    }

    [Theory]
    [InlineData(RuleBasedModel.FirstTouch, new[] { 1.0, 0, 0, 0 })]
    [InlineData(RuleBasedModel.LastTouch, new[] { 0, 0, 0, 1.0 })]
    [InlineData(RuleBasedModel.LastNonDirect, new[] { 0, 0, 1.0, 0 })]
    [InlineData(RuleBasedModel.Linear, new[] { 0.25, 0.25, 0.25, 0.25 })]
    [InlineData(RuleBasedModel.PositionBased, new[] { 0.4, 0.1, 0.1, 0.4 })]
    [InlineData(RuleBasedModel.WShaped, new[] { 0.3, 0.1, 0.3, 0.3 })]
    public void RuleBased_FourTouchPath_SplitsAsDefined(RuleBasedModel model, double[] expected)
    {
        var weights = RuleBasedAttribution.Weights(new ConversionPath(["email", "paid_search", "display", "direct"], true), model);
        Assert.Equal(expected.Length, weights.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], weights[i], 1e-12);
    }

    [Fact]
    public void RuleBased_TimeDecay_HalvesPerHalfLife()
    {
        var w = RuleBasedAttribution.Weights(new ConversionPath(["a", "b"], true, 1, [7, 0]), RuleBasedModel.TimeDecay, halfLifeDays: 7);
        Assert.Equal(1.0 / 3, w[0], 1e-12);
        Assert.Equal(2.0 / 3, w[1], 1e-12);
    }

    [Theory]
    [InlineData(RuleBasedModel.PositionBased, new[] { "a" }, new[] { 1.0 })]
    [InlineData(RuleBasedModel.PositionBased, new[] { "a", "b" }, new[] { 0.5, 0.5 })]
    [InlineData(RuleBasedModel.PositionBased, new[] { "a", "b", "c" }, new[] { 0.4, 0.2, 0.4 })]
    [InlineData(RuleBasedModel.WShaped, new[] { "a", "b" }, new[] { 0.5, 0.5 })]
    [InlineData(RuleBasedModel.WShaped, new[] { "a", "b", "c" }, new[] { 1.0 / 3, 1.0 / 3, 1.0 / 3 })]
    [InlineData(RuleBasedModel.WShaped, new[] { "a", "b", "c", "d", "e" }, new[] { 0.3, 0.05, 0.3, 0.05, 0.3 })]
    [InlineData(RuleBasedModel.LastNonDirect, new[] { "direct", "direct", "direct" }, new[] { 0, 0, 1.0 })]
    [InlineData(RuleBasedModel.LastNonDirect, new[] { "email", "direct", "direct" }, new[] { 1.0, 0, 0 })]
    public void RuleBased_ShortAndDirectPaths_SplitAsDefined(RuleBasedModel model, string[] channels, double[] expected)
    {
        var weights = RuleBasedAttribution.Weights(new ConversionPath(channels, true), model);
        Assert.Equal(expected.Length, weights.Length);
        for (var i = 0; i < expected.Length; i++) Assert.Equal(expected[i], weights[i], 1e-12);
    }

    [Fact]
    public void RuleBased_TimeDecayWithoutAges_CountsTouchesBackFromTheConversion()
    {
        var w = RuleBasedAttribution.Weights(new ConversionPath(["a", "b"], true), RuleBasedModel.TimeDecay, halfLifeDays: 1);
        Assert.Equal(1.0 / 3, w[0], 1e-12);
        Assert.Equal(2.0 / 3, w[1], 1e-12);
    }

    [Theory]
    [InlineData(RuleBasedModel.FirstTouch)]
    [InlineData(RuleBasedModel.LastNonDirect)]
    [InlineData(RuleBasedModel.TimeDecay)]
    [InlineData(RuleBasedModel.PositionBased)]
    [InlineData(RuleBasedModel.WShaped)]
    public void RuleBased_Credit_IsTheTouchWeightsSummedByChannel(RuleBasedModel model)
    {
        ConversionPath[] paths =
        [
            new(["email", "direct", "search", "email", "display"], true, 50, [9, 6, 3, 1, 0]),
            new(["search", "direct"], true, 20, [2, 0]),
            new(["social"], false),
            new(["direct", "direct", "email", "search", "display", "email", "search"], true, 10),
        ];
        var expected = new Dictionary<string, (double Conversions, double Value)>(StringComparer.Ordinal) { ["social"] = (0, 0) };
        foreach (var path in paths.Where(p => p.Converted))
        {
            var w = RuleBasedAttribution.Weights(path, model);
            for (var i = 0; i < w.Length; i++)
            {
                var (c, v) = expected.GetValueOrDefault(path.Channels[i]);
                expected[path.Channels[i]] = (c + w[i], v + w[i] * path.Value);
            }
        }

        var credit = RuleBasedAttribution.Compute(paths, model);

        Assert.Equal(expected.Keys.Order(StringComparer.Ordinal), credit.Select(c => c.Channel));
        foreach (var c in credit)
        {
            Assert.Equal(expected[c.Channel].Conversions, c.Conversions, 1e-12);
            Assert.Equal(expected[c.Channel].Value, c.Value, 1e-12);
        }
        Assert.Equal(3, credit.Sum(c => c.Conversions), 1e-12);
    }
}
