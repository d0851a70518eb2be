using Tributary.Analytics.Attribution;

namespace Tributary.Analytics.Tests.Attribution;

public sealed class PathSetTests
{
    // Three paths over a dictionary numbered unlike first sight, with a channel no path touches:
    // [email, search, email] converted 30, [direct] not converted, [search, direct] converted 10.
    private static PathSet Flat() => new(["unused", "search", "email", "direct"], [0, 3, 4, 6], [2, 1, 2, 3, 1, 3], [true, false, true], [30, 0, 10], [4, 2, 0, 0, 1, 0]);

    private static ConversionPath[] Objects() =>
    [
        new(["email", "search", "email"], true, 30, [4, 2, 0]),
        new(["direct"], false, 0, [0]),
        new(["search", "direct"], true, 10, [1, 0]),
    ];

    [Fact]
    public void From_NumbersChannelsOnFirstSight_AndKeepsEachPathsTouchesInOrder()
    {
        var set = PathSet.From(Objects());

        Assert.Equal(["email", "search", "direct"], set.Channels);
        Assert.Equal(3, set.Count);
        Assert.Equal([0, 1, 0], set.Touches(0).ToArray());
        Assert.Equal([2], set.Touches(1).ToArray());
        Assert.Equal([1, 2], set.Touches(2).ToArray());
        Assert.Equal([true, false, true], Enumerable.Range(0, 3).Select(set.Converted));
        Assert.Equal(10, set.Value(2));
        Assert.Equal([1.0, 0], set.Ages(2).ToArray());
    }

    [Fact]
    public void From_PathWithoutAges_CountsItsTouchesBackFromTheLast()
    {
        var set = PathSet.From([new ConversionPath(["a"], true, 1, [5]), new ConversionPath(["a", "b", "c"], true)]);

        Assert.Equal([2.0, 1, 0], set.Ages(1).ToArray());
    }

    [Theory]
    [InlineData("first_touch")]
    [InlineData("last_non_direct")]
    [InlineData("time_decay")]
    [InlineData("w_shaped")]
    [InlineData("markov_1")]
    [InlineData("markov_2")]
    [InlineData("shapley")]
    [InlineData("shapley_conversions")]
    [InlineData("shapley_simplified")]
    public void EveryModel_OverFlatArrays_CreditsAsOverPathObjects_AndLeavesOutUntouchedChannels(string model)
    {
        var flat = Credit(model, Flat());
        var objects = Credit(model, PathSet.From(Objects()));

        Assert.DoesNotContain(flat, c => c.Channel == "unused");
        Assert.Equal(objects.OrderBy(c => c.Channel, StringComparer.Ordinal), flat.OrderBy(c => c.Channel, StringComparer.Ordinal));
    }

    private static IReadOnlyList<ChannelCredit> Credit(string model, PathSet paths) => model switch
    {
        "markov_1" => MarkovAttribution.Compute(paths, 1).Credit,
        "markov_2" => MarkovAttribution.Compute(paths, 2).Credit,
        "shapley" => ShapleyAttribution.Compute(paths).Credit,
        "shapley_conversions" => ShapleyAttribution.Compute(paths, ShapleyValueFunction.Conversions).Credit,
        "shapley_simplified" => ShapleyAttribution.Simplified(paths).Credit,
        _ => RuleBasedAttribution.Compute(paths, Enum.Parse<RuleBasedModel>(model.Replace("_", "", StringComparison.Ordinal), ignoreCase: true)),
    };

    [Fact]
    public void Weights_OverTheSetComputedFrom_AndOverAnotherSet_EqualThePathObjectsWeights()
    {
        var set = Flat();
        var markov = MarkovAttribution.Compute(set);
        var shapley = ShapleyAttribution.Compute(set);
        var other = PathSet.From(Objects());

        foreach (var (path, p) in Objects().Select((x, i) => (x, i)).Where(x => x.x.Converted))
        {
            foreach (var (expected, write) in new (double[], Action<PathSet, int, double[]>)[]
            {
                (markov.Weights(path), (s, i, into) => markov.Weights(s, i, into)),
                (shapley.Weights(path), (s, i, into) => shapley.Weights(s, i, into)),
                (RuleBasedAttribution.Weights(path, RuleBasedModel.TimeDecay), (s, i, into) => RuleBasedAttribution.Weights(s, i, RuleBasedModel.TimeDecay, 7, into)),
            })
            {
                Assert.Equal(1, expected.Sum(), 1e-12);
                foreach (var s in new[] { set, other })
                {
                    var into = new double[path.Channels.Count];
                    write(s, p, into);
                    Assert.Equal(expected, into);
                }
            }
        }
    }

    [Fact]
    public void Constructor_RejectsOffsetsOrTouchesThatDoNotFit()
    {
        Assert.Throws<ArgumentException>(() => new PathSet(["a"], [0, 2], [0], [true], [1]));
        Assert.Throws<ArgumentException>(() => new PathSet(["a"], [0, 1], [1], [true], [1]));
        Assert.Throws<ArgumentException>(() => new PathSet(["a"], [0, 2, 1], [0], [true, false], [1, 0]));
        Assert.Throws<ArgumentException>(() => new PathSet(["a"], [0, 1], [0], [true], [1], [1, 2]));
        // Age starts: one per path, each path's ages inside the array.
        Assert.Throws<ArgumentException>(() => new PathSet(["a"], [0, 2], [0, 0], [true], [1], [1, 2], [1]));
        Assert.Throws<ArgumentException>(() => new PathSet(["a"], [0, 2], [0, 0], [true], [1], [1, 2], [0, 0]));
        Assert.Throws<ArgumentException>(() => new PathSet(["a"], [0, 2], [0, 0], [true], [1], null, [0]));
    }

    // Ages by path start (paths sharing a stretch of zeros, as the attribution read keeps them) weigh time decay as the
    // same ages one per touch do.
    [Fact]
    public void AgeStarts_PathsSharingAStretch_ReadAndWeighAsAgesOnePerTouch()
    {
        string[] channels = ["a", "b"];
        int[] offsets = [0, 3, 5, 7];
        int[] touches = [0, 1, 0, 1, 1, 0, 0];
        bool[] converted = [true, true, false];
        double[] values = [10, 20, 0];
        var perTouch = new PathSet(channels, offsets, touches, converted, values, [6, 2, 0, 0, 0, 0, 0]);
        var byStart = new PathSet(channels, offsets, touches, converted, values, [6, 2, 0, 0, 0], [0, 3, 3]);

        for (var p = 0; p < 3; p++) Assert.Equal(perTouch.Ages(p).ToArray(), byStart.Ages(p).ToArray());
        Assert.Equal(
            RuleBasedAttribution.Compute(perTouch, RuleBasedModel.TimeDecay, 7).Select(c => (c.Channel, c.Conversions, c.Value)),
            RuleBasedAttribution.Compute(byStart, RuleBasedModel.TimeDecay, 7).Select(c => (c.Channel, c.Conversions, c.Value)));
    }
}
