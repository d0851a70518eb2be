using Tributary.Analytics.Classification;
using Tributary.Analytics.Fraud;

namespace Tributary.Analytics.Tests.Fraud;

public sealed class IsolationForestTests
{
    private static readonly IsolationForestOptions Standard = new() { Method = IsolationMethod.IsolationForest };
    private static readonly IsolationForestOptions Extended = new() { Method = IsolationMethod.Extended };
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    public static TheoryData<IsolationMethod> Methods => [IsolationMethod.IsolationForest, IsolationMethod.Extended];

    [Fact]
    public void AveragePathLength_MatchesThePaper()
    {
        // Liu et al. 2008, eq. 1: c(256) = 2(ln 255 + 0.5772156649) − 2·255/256 = 10.24477.
        Assert.Equal(10.24477, IsolationForest.AveragePathLength(256), 5);
        Assert.Equal(1, IsolationForest.AveragePathLength(2));
        Assert.Equal(0, IsolationForest.AveragePathLength(1));
        Assert.Equal(0, IsolationForest.AveragePathLength(0));
        // c(3) = 2(ln 2 + γ) − 4/3.
        Assert.Equal(2 * (Math.Log(2) + 0.5772156649) - 4.0 / 3, IsolationForest.AveragePathLength(3), 12);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void StoredForest_ReadBack_ScoresAndExplainsEveryRowTheSame(IsolationMethod method)
    {
        var random = new Random(4);
        var values = Enumerable.Range(0, 900).Select(_ => Gaussian(random)).ToArray();
        values[0] = double.NaN; // a missing value: the stored medians stand in for it the same way
        var model = IsolationForest.Fit(values, 3, new() { Method = method, Seed = 9, Trees = 20, SampleSize = 64 }, Ct);
        var bytes = model.ToBytes();
        var read = IsolationForestModel.Read(bytes);
        Assert.Equal(model.Score(values, Ct), read.Score(values, Ct));
        Assert.Equal(model.Explain(values, Ct).TopFeature, read.Explain(values, Ct).TopFeature);
        Assert.Equal(model.Medians, read.Medians);
        // One row at a time, as the online scorer asks, gives the batch's numbers.
        Span<double> credit = stackalloc double[3];
        Assert.Equal(model.Score(values, Ct)[5], read.ScoreRow(values.AsSpan(15, 3), credit));
        Assert.Throws<InvalidDataException>(() => IsolationForestModel.Read(bytes[..(bytes.Length / 2)]));
        Assert.Throws<InvalidDataException>(() => IsolationForestModel.Read([9, 0, 0, 0]));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Score_SingleOutlierAmongTightCluster_GetsTheTopScore(IsolationMethod method)
    {
        var random = new Random(1);
        var rows = new List<double[]>();
        for (var i = 0; i < 300; i++) rows.Add([Gaussian(random) * 0.1, Gaussian(random) * 0.1]);
        rows.Insert(137, [3.0, 3.0]);

        var scores = IsolationForest.Fit(Flat(rows), 2, new() { Method = method }, Ct).Score(Flat(rows), Ct);

        Assert.Equal(137, Array.IndexOf(scores, scores.Max()));
        Assert.True(scores[137] > 0.7, $"outlier score {scores[137]}");
        Assert.All(scores, s => Assert.InRange(s, double.Epsilon, 1.0));
        Assert.True(scores.Where((_, i) => i != 137).Average() < 0.5);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Score_PlantedAnomaliesIn2D_AreRankedFirst(IsolationMethod method)
    {
        var (values, labels) = Planted(new Random(7), normal: 2000, anomalies: 40);

        var scores = IsolationForest.Fit(values, 2, new() { Method = method, Seed = 3 }, Ct).Score(values, Ct);

        Assert.True(ClassifierMetrics.Auc(scores, labels) > 0.97, $"AUC {ClassifierMetrics.Auc(scores, labels)}");
        Assert.All(scores, s => Assert.InRange(s, double.Epsilon, 1.0));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Fit_SameSeed_GivesIdenticalScoresWhateverTheThreadCount(IsolationMethod method)
    {
        var (values, _) = Planted(new Random(11), normal: 5000, anomalies: 50);

        var one = IsolationForest.Fit(values, 2, new() { Method = method, Seed = 5, MaxDegreeOfParallelism = 1 }, Ct).Explain(values, Ct);
        var many = IsolationForest.Fit(values, 2, new() { Method = method, Seed = 5, MaxDegreeOfParallelism = 4 }, Ct).Explain(values, Ct);
        var other = IsolationForest.Fit(values, 2, new() { Method = method, Seed = 6 }, Ct).Score(values, Ct);

        Assert.Equal(one.Scores, many.Scores);
        Assert.Equal(one.TopFeature, many.TopFeature);
        Assert.Equal(one.Importance, many.Importance);
        Assert.NotEqual(one.Scores, other);
    }

    [Fact]
    public void Fit_ExtendedAtLevelZero_CutsOneFeatureAtATimeAndRanksLikeTheAxisParallelForest()
    {
        var (values, labels) = Planted(new Random(13), normal: 3000, anomalies: 60, columns: 4);

        var level0 = IsolationForest.Fit(values, 4, Extended with { ExtensionLevel = 0 }, Ct);
        var full = IsolationForest.Fit(values, 4, Extended, Ct);
        var standard = IsolationForest.Fit(values, 4, Standard, Ct);

        Assert.All(level0.TermsPerInternalNode(), t => Assert.Equal(1, t));
        Assert.Contains(full.TermsPerInternalNode(), t => t == 4);
        var (a, b) = (level0.Score(values, Ct), standard.Score(values, Ct));
        Assert.True(Spearman(a, b) > 0.95, $"rank correlation {Spearman(a, b)}");
        Assert.Equal(ClassifierMetrics.Auc(b, labels), ClassifierMetrics.Auc(a, labels), 0.01);
    }

    [Fact]
    public void Score_RoundBlob_ExtendedRemovesTheAxisAlignedGhost()
    {
        // Hariri et al. 2019, §3: axis-parallel cuts score a round blob's rim lower along the axes than along the diagonals
        // (the "ghost" cross: at radius 4, about 0.65 on the axes against 0.73 on the diagonals); random hyperplanes make the
        // score depend on the distance from the centre alone.
        var random = new Random(17);
        var rows = new List<double[]>();
        for (var i = 0; i < 4000; i++) rows.Add([Gaussian(random), Gaussian(random)]);
        var probes = new List<double[]>();
        const int Angles = 72;
        for (var a = 0; a < Angles; a++)
        {
            var theta = 2 * Math.PI * a / Angles;
            probes.Add([4 * Math.Cos(theta), 4 * Math.Sin(theta)]);
        }

        double Ghost(IsolationForestOptions options)
        {
            var scores = IsolationForest.Fit(Flat(rows), 2, options with { Trees = 400 }, Ct).Score(Flat(probes), Ct);
            // Mean score on the diagonals (45°, 135°, ...) minus on the axes (0°, 90°, ...), ±10° around each.
            double Around(int centre) => Enumerable.Range(-2, 5).Select(k => scores[(centre + k + Angles) % Angles]).Average();
            var axes = new[] { 0, 18, 36, 54 }.Average(Around);
            var diagonals = new[] { 9, 27, 45, 63 }.Average(Around);
            return diagonals - axes;
        }

        var standard = Ghost(Standard);
        var extended = Ghost(Extended);
        Assert.True(standard > 0.05, $"axis-parallel diagonal − axis gap {standard}");
        Assert.True(Math.Abs(extended) < standard / 4, $"extended gap {extended} against axis-parallel {standard}");
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Fit_FeatureInOtherUnits_GivesTheSameScores(IsolationMethod method)
    {
        // Amounts in cents beside counts: the cuts follow the data, not the unit (2^10 keeps the arithmetic exact).
        var (values, _) = Planted(new Random(31), normal: 2000, anomalies: 20, columns: 3);
        var rescaled = values.Select((v, i) => i % 3 == 0 ? v * 1024 : v).ToArray();

        var a = IsolationForest.Fit(values, 3, new() { Method = method }, Ct).Explain(values, Ct);
        var b = IsolationForest.Fit(rescaled, 3, new() { Method = method }, Ct).Explain(rescaled, Ct);

        Assert.Equal(a.Scores, b.Scores);
        Assert.Equal(a.TopFeature, b.TopFeature);
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Fit_ConstantFeature_IsNeverCutAndChangesNothing(IsolationMethod method)
    {
        var (values, labels) = Planted(new Random(19), normal: 1000, anomalies: 20);
        var padded = new double[values.Length / 2 * 3];
        for (var i = 0; i < values.Length / 2; i++) (padded[i * 3], padded[i * 3 + 1], padded[i * 3 + 2]) = (values[i * 2], 7.0, values[i * 2 + 1]);

        var model = IsolationForest.Fit(padded, 3, new() { Method = method }, Ct);
        var scores = model.Explain(padded, Ct);

        Assert.True(ClassifierMetrics.Auc(scores.Scores, labels) > 0.97);
        Assert.Equal(0, scores.Importance[1]);
        Assert.DoesNotContain(1, scores.TopFeature);
        // A row off the constant value is scored like the same row on it: no cut ever tested that feature.
        Assert.Equal(model.ScoreRow([0.5, 7.0, 0.5], []), model.ScoreRow([0.5, 100.0, 0.5], []));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Score_AllRowsEqual_IsOneHalfForEveryRow(IsolationMethod method)
    {
        var values = Enumerable.Repeat(new[] { 1.0, 2.0 }, 500).SelectMany(r => r).ToArray();

        var scores = IsolationForest.Fit(values, 2, new() { Method = method }, Ct).Score(values, Ct);

        // Every tree is one external node of size ψ: E[h] = c(ψ), s = 2^−1.
        Assert.All(scores, s => Assert.Equal(0.5, s, 12));
    }

    [Fact]
    public void Score_SingleTrainingRow_IsOneHalf()
    {
        var model = IsolationForest.Fit([1.0, 2.0], 2, null, Ct);

        Assert.Equal(1, model.SampleSize);
        Assert.Equal([0.5, 0.5], model.Score([1.0, 2.0, 50.0, 60.0], Ct));
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void Score_MissingValue_IsScoredAsTheTrainingMedian(IsolationMethod method)
    {
        // Feature 0 is 0..100 with a NaN and an infinity among the training rows: its median over the finite values is 50.
        var rows = Enumerable.Range(0, 101).Select(i => new[] { (double)i, i % 7 }).ToList();
        rows.Add([double.NaN, 3]);
        rows.Add([double.PositiveInfinity, 3]);

        var model = IsolationForest.Fit(Flat(rows), 2, new() { Method = method }, Ct);

        Assert.Equal(50, model.Medians[0]);
        Assert.Equal(3, model.Medians[1]);
        var scores = model.Score([double.NaN, 3, 50, 3, double.NegativeInfinity, double.NaN], Ct);
        Assert.Equal(scores[1], scores[0]);
        Assert.Equal(scores[1], scores[2]);
    }

    [Fact]
    public void Explain_OutlierOnOneFeature_NamesThatFeature()
    {
        var random = new Random(23);
        var rows = new List<double[]>();
        for (var i = 0; i < 500; i++) rows.Add([Gaussian(random), Gaussian(random), Gaussian(random)]);
        rows.Add([0, 0, 12]);
        rows.Add([12, 0, 0]);

        foreach (var options in new[] { Standard, Extended })
        {
            var result = IsolationForest.Fit(Flat(rows), 3, options, Ct).Explain(Flat(rows), Ct);

            Assert.Equal(2, result.TopFeature[500]);
            Assert.Equal(0, result.TopFeature[501]);
            Assert.Equal(1.0, result.Importance.Sum(), 9);
            Assert.All(result.Importance, v => Assert.InRange(v, 0.2, 0.45));
        }
    }

    [Theory]
    [MemberData(nameof(Methods))]
    public void ScoreRow_AgreesWithTheBatchScores(IsolationMethod method)
    {
        var (values, _) = Planted(new Random(29), normal: 3000, anomalies: 30, columns: 3);
        var model = IsolationForest.Fit(values, 3, new() { Method = method }, Ct);

        var batch = model.Explain(values, Ct);
        var credit = new double[3];
        for (var i = 0; i < 3030; i += 101)
        {
            Assert.Equal(batch.Scores[i], model.ScoreRow(values.AsSpan(i * 3, 3), credit));
            Assert.Equal(batch.TopFeature[i], Array.IndexOf(credit, credit.Max()));
        }
    }

    [Fact]
    public void Fit_BadOptions_SayWhatIsAllowed()
    {
        var values = new double[] { 1, 2, 3, 4, 5, 6 };

        Assert.Equal("extension_level must be between 0 and 1 (dimensions − 1) for 2 features; got 2. (Parameter 'options')",
            Assert.Throws<ArgumentException>(() => IsolationForest.Fit(values, 2, Extended with { ExtensionLevel = 2 }, Ct)).Message);
        Assert.Equal("the matrix must hold whole rows of 4 features; got 6 values. (Parameter 'values')",
            Assert.Throws<ArgumentException>(() => IsolationForest.Fit(values, 4, null, Ct)).Message);
        Assert.Equal("sample_size must be at least 2; got 1. (Parameter 'options')",
            Assert.Throws<ArgumentException>(() => IsolationForest.Fit(values, 2, Standard with { SampleSize = 1 }, Ct)).Message);
    }

    // A unit Gaussian blob per feature plus anomalies on a shell of radius 4-6 around it, in random order.
    private static (double[] Values, bool[] Labels) Planted(Random random, int normal, int anomalies, int columns = 2)
    {
        var rows = new List<(double[] Row, bool Anomaly)>();
        for (var i = 0; i < normal; i++) rows.Add((Enumerable.Range(0, columns).Select(_ => Gaussian(random)).ToArray(), false));
        for (var i = 0; i < anomalies; i++)
        {
            var direction = Enumerable.Range(0, columns).Select(_ => Gaussian(random)).ToArray();
            var norm = Math.Sqrt(direction.Sum(v => v * v));
            var radius = 4 + 2 * random.NextDouble();
            rows.Add((direction.Select(v => v / norm * radius).ToArray(), true));
        }
        var shuffled = rows.OrderBy(_ => random.Next()).ToList();
        return (Flat(shuffled.Select(r => r.Row).ToList()), shuffled.Select(r => r.Anomaly).ToArray());
    }

    private static double[] Flat(IReadOnlyList<double[]> rows) => rows.SelectMany(r => r).ToArray();

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    private static double Spearman(double[] a, double[] b)
    {
        static double[] Ranks(double[] v)
        {
            var order = Enumerable.Range(0, v.Length).OrderBy(i => v[i]).ToArray();
            var ranks = new double[v.Length];
            for (var r = 0; r < order.Length; r++) ranks[order[r]] = r;
            return ranks;
        }
        var (ra, rb) = (Ranks(a), Ranks(b));
        var (ma, mb) = (ra.Average(), rb.Average());
        var cov = ra.Zip(rb, (x, y) => (x - ma) * (y - mb)).Sum();
        return cov / Math.Sqrt(ra.Sum(x => (x - ma) * (x - ma)) * rb.Sum(y => (y - mb) * (y - mb)));
    }
}
