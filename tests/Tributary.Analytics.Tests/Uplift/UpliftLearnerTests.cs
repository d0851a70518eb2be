using Tributary.Analytics.Classification;
using Tributary.Analytics.Uplift;

namespace Tributary.Analytics.Tests.Uplift;

/// <summary>
/// The learners on a simulated randomized send with a known effect: base conversion 0.15 + 0.3·x₀ (x₀ uniform), and an
/// effect of +0.30 where x₁ &gt; 0.7 (persuadable), −0.12 where x₁ &lt; 0.2 (do not disturb, only among buyers with x₀ &gt; 0.5), 0 elsewhere;
/// x₂ is noise. Half are treated.
/// </summary>
public sealed class UpliftLearnerTests
{
    private static (UpliftSample Sample, double[] TrueEffect) Simulate(int n, int seed, double treatedShare = 0.5)
    {
        var random = new Random(seed);
        var rows = new List<float[]>();
        var treated = new List<bool>();
        var converted = new List<bool>();
        var effect = new double[n];
        for (var i = 0; i < n; i++)
        {
            float x0 = (float)random.NextDouble(), x1 = (float)random.NextDouble(), x2 = (float)random.NextDouble();
            var base0 = 0.15 + 0.3 * x0;
            effect[i] = x1 > 0.7 ? 0.30 : x1 < 0.2 && x0 > 0.5 ? -0.12 : 0;
            var t = random.NextDouble() < treatedShare;
            rows.Add([x0, x1, x2]);
            treated.Add(t);
            converted.Add(random.NextDouble() < base0 + (t ? effect[i] : 0));
        }
        return (new UpliftSample(rows, treated, converted), effect);
    }

    private static readonly BoostedClassifierOptions Trees = new(Trees: 100, Leaves: 7, LearningRate: 0.05, MinExamplesPerLeaf: 100);

    public static TheoryData<string> Learners => ["t", "x", "class_transformation"];

    private static IUpliftModel Fit(string learner, UpliftSample sample) => learner switch
    {
        "t" => TLearner.Fit(sample, Trees),
        "x" => XLearner.Fit(sample, Trees),
        _ => ClassTransformationLearner.Fit(sample, Trees),
    };

    [Theory]
    [MemberData(nameof(Learners))]
    public void Learner_SimulatedSend_RecoversEachGroupsEffectAndRanksBetterThanRandom(string learner)
    {
        var (train, _) = Simulate(20_000, 1);
        var (test, effect) = Simulate(10_000, 2);
        var model = Fit(learner, train);
        var uplift = model.Uplift(test.Rows);

        double Mean(Func<double, bool> group) => Enumerable.Range(0, effect.Length).Where(i => group(effect[i])).Average(i => uplift[i]);
        Assert.InRange(Mean(e => e > 0), 0.22, 0.38);
        Assert.InRange(Mean(e => e == 0), -0.05, 0.05);
        Assert.InRange(Mean(e => e < 0), -0.22, -0.03);

        // On the holdout the learned ordering is worth more than a random one and close to the truth's.
        var qini = UpliftMetrics.QiniCoefficient(uplift, test.Treated.ToArray(), test.Converted.ToArray());
        var truth = UpliftMetrics.QiniCoefficient(effect, test.Treated.ToArray(), test.Converted.ToArray());
        var random = new Random(3);
        var shuffled = UpliftMetrics.QiniCoefficient(effect.Select(_ => random.NextDouble()).ToArray(), test.Treated.ToArray(), test.Converted.ToArray());
        Assert.True(qini > shuffled + 0.5 * (truth - shuffled), $"qini {qini:0.0000}, truth {truth:0.0000}, random {shuffled:0.0000}");
    }

    // A trend in {-2, …, 2}, missing (NaN) for a fifth: the missing customers are persuadable (+0.30), everyone else,
    // a real trend of -1 included, unmoved; base conversion 0.2 + 0.05·trend (0.2 when missing).
    private static (UpliftSample Sample, double[] TrueEffect) SimulateMissing(int n, int seed)
    {
        var random = new Random(seed);
        var (rows, treated, converted, effect) = (new List<float[]>(), new List<bool>(), new List<bool>(), new double[n]);
        for (var i = 0; i < n; i++)
        {
            var missing = random.NextDouble() < 0.2;
            var trend = random.Next(-2, 3);
            effect[i] = missing ? 0.30 : 0;
            var t = random.NextDouble() < 0.5;
            rows.Add([missing ? float.NaN : trend, (float)random.NextDouble()]);
            treated.Add(t);
            converted.Add(random.NextDouble() < (missing ? 0.2 : 0.2 + 0.05 * trend) + (t ? effect[i] : 0));
        }
        return (new UpliftSample(rows, treated, converted), effect);
    }

    [Theory]
    [MemberData(nameof(Learners))]
    public void Learner_MissingFeature_LearnsTheMissingCustomersEffectApartFromARealMinusOne(string learner)
    {
        var (train, _) = SimulateMissing(12_000, 11);
        var (test, effect) = SimulateMissing(4_000, 12);
        var uplift = Fit(learner, train).Uplift(test.Rows);

        double Mean(Func<int, bool> who) => Enumerable.Range(0, effect.Length).Where(who).Average(i => uplift[i]);
        Assert.InRange(Mean(i => float.IsNaN(test.Rows[i][0])), 0.2, 0.4);
        Assert.InRange(Mean(i => test.Rows[i][0] == -1), -0.06, 0.06);
        Assert.True(uplift.All(double.IsFinite));
    }

    [Fact]
    public void ClassTransformation_UnequalArms_StillEstimatesTheEffect()
    {
        var (train, _) = Simulate(24_000, 4, treatedShare: 0.75);
        var (test, effect) = Simulate(6_000, 5);
        var uplift = ClassTransformationLearner.Fit(train, Trees).Uplift(test.Rows);
        Assert.InRange(Enumerable.Range(0, effect.Length).Where(i => effect[i] > 0).Average(i => uplift[i]), 0.2, 0.4);
        Assert.InRange(Enumerable.Range(0, effect.Length).Where(i => effect[i] == 0).Average(i => uplift[i]), -0.06, 0.06);
    }

    [Fact]
    public void Fit_ArmWithOneOutcome_SaysWhichArm()
    {
        var sample = new UpliftSample([[1f], [2f], [3f], [4f]], [true, true, false, false], [true, false, false, false]);
        var error = Assert.Throws<ArgumentException>(() => TLearner.Fit(sample));
        Assert.Contains("control group", error.Message);
    }
}
