using Microsoft.ML;
using Microsoft.ML.Data;
using Tributary.Analytics.Classification;
using Tributary.Analytics.Uplift;

namespace Tributary.Analytics.Tests.Classification;

public sealed class FlatTreeEnsembleTests
{
    // x0 ≤ 0.5 ? (x1 ≤ 0.5 ? 0 : 2) : 4; the four rows reach the leaves once, once and twice.
    private static readonly float[][] Square = [[0, 0], [0, 1], [1, 0], [1, 1]];

    private static FlatTreeEnsemble Tiny(float missingX0As) => new(
        [new FlatTree([0, 1], [0.5f, 0.5f], [missingX0As, 0.5f], [1, ~0], [~2, ~1], [0, 2, 4])], bias: 0, Square, features: 2);

    [Fact]
    public void HandBuiltTree_SaabasContributions_AreTheChangesInExpectedValueAlongThePath()
    {
        var trees = Tiny(0.5f);
        // Expected values: node x1 (leaves 0 and 2, one row each) 1; root (that node with 2 rows, leaf 4 with 2) 2.5.
        Assert.Equal(2.5, trees.Bias, 12);
        var parts = new double[2];
        Assert.Equal(2, trees.Contributions([0, 1], parts), 12);
        Assert.Equal([1 - 2.5, 2 - 1], parts);
        Assert.Equal(4, trees.Contributions([1, 0], parts), 12);
        Assert.Equal([4 - 2.5, 0], parts); // x1 is never tested on this path
    }

    [Fact]
    public void StoredAndRead_ScoresEveryRowTheSame_AndACorruptedStoreIsRefused()
    {
        var trees = Tiny(1.5f);
        var bytes = trees.ToBytes();
        var read = FlatTreeEnsemble.Read(bytes);

        Assert.Equal((trees.Features, trees.Bias), (read.Features, read.Bias));
        var (expected, actual) = (new double[2], new double[2]);
        foreach (var row in Square.Append([float.NaN, 1]))
        {
            Assert.Equal(trees.Contributions(row, expected), read.Contributions(row, actual));
            Assert.Equal(expected, actual);
        }
        Assert.Throws<InvalidDataException>(() => FlatTreeEnsemble.Read(bytes[..^3]));
        // A child index past the leaves would send scoring off the arrays: refused on reading.
        var broken = (byte[])bytes.Clone();
        var left = 4 + 4 + 8 + 8 + (4 + 2 * 4);
        BitConverter.TryWriteBytes(broken.AsSpan(left + 4), 7);
        Assert.Throws<InvalidDataException>(() => FlatTreeEnsemble.Read(broken));
    }

    [Fact]
    public void HandBuiltTree_MissingValue_FollowsTheNodesDefaultDirection()
    {
        float[] row = [float.NaN, 1];
        Assert.Equal(2, Tiny(missingX0As: 0.5f).Margin(row), 12); // at the threshold: left
        Assert.Equal(4, Tiny(missingX0As: 1.5f).Margin(row), 12); // above it: right
        Assert.Equal(4, Tiny(missingX0As: float.NaN).Margin(row), 12); // NaN itself fails "≤ threshold": right, as in ML.NET
    }

    [Fact]
    public void Classifier_FlatEvaluation_EqualsMlNetsScoresIncludingMissingValues()
    {
        var (rows, labels) = Data(4000, seed: 5);
        var model = BoostedClassifier.Train(rows, labels, new BoostedClassifierOptions(Trees: 60, MinExamplesPerLeaf: 20));
        var (test, _) = Data(3000, seed: 6);
        var (margins, parts) = model.Score(test, contributions: true);
        var expected = MlNetScores(model.Model, test);
        for (var i = 0; i < test.Count; i++) Assert.Equal(expected[i], margins[i], 1e-9);
        Assert.Equal(margins, model.Score(test, contributions: false).Margins);
        // Saabas: the contributions add up to the margin less the bias (float rounding of each part aside).
        for (var i = 0; i < test.Count; i++) Assert.Equal(margins[i] - model.Bias, parts![i].Sum(p => (double)p), 1e-4);
    }

    [Fact]
    public void Classifier_MissingValuesThatMeanLow_GoLeftAsLightGbmLearned()
    {
        // Missing x0 means "low" here, so LightGBM learns to send NaN left where x0 splits (without the default direction
        // NaN would go right, with the high values); the flat trees must agree.
        var random = new Random(9);
        var rows = Enumerable.Range(0, 3000).Select(_ => new[] { (float)random.NextDouble(), (float)random.NextDouble() }).ToList();
        var labels = rows.Select(r => random.NextDouble() < 0.1 + 0.8 * r[0]).ToList();
        foreach (var r in rows.Where(r => r[0] < 0.2)) r[0] = float.NaN;
        var model = BoostedClassifier.Train(rows, labels, new BoostedClassifierOptions(Trees: 40, MinExamplesPerLeaf: 20));
        float[][] probe = [[float.NaN, 0.5f], [0.95f, 0.5f], [0.3f, 0.5f]];
        var margins = model.Score(probe, contributions: false).Margins;
        Assert.Equal(MlNetScores(model.Model, probe), margins);
        Assert.True(margins[0] < margins[1], $"missing x0 scores {margins[0]}, high x0 {margins[1]}");
    }

    [Fact]
    public void Classifier_MissingValuesSetApart_ScoreAsTheTreesWereTrained()
    {
        // A trend in {-2, …, 2}, missing for a fifth who buy at 0.5 against 0.2 + 0.05·trend: LightGBM sets the missing
        // values apart with a split at +∞ (every value left, missing right). ML.NET's own scoring sends them left there,
        // with the values, so the margins of the very rows it trained on missed their rate (0.21 against 0.51).
        var random = new Random(11);
        var rows = new List<float[]>();
        var labels = new List<bool>();
        for (var i = 0; i < 6000; i++)
        {
            var missing = random.NextDouble() < 0.2;
            var trend = random.Next(-2, 3);
            rows.Add([missing ? float.NaN : trend, (float)random.NextDouble()]);
            labels.Add(random.NextDouble() < (missing ? 0.5 : 0.2 + 0.05 * trend));
        }
        var model = BoostedClassifier.Train(rows, labels, new BoostedClassifierOptions(Trees: 100, Leaves: 7, MinExamplesPerLeaf: 100));
        // ML.NET's LightGBM margin is twice the log-odds (its sigmoid parameter 0.5).
        var p = model.Score(rows, contributions: false).Margins.Select(m => 1 / (1 + Math.Exp(-m / 2))).ToArray();
        double Mean(IEnumerable<int> who, Func<int, double> f) => who.Average(f);
        var missingRows = Enumerable.Range(0, rows.Count).Where(i => float.IsNaN(rows[i][0])).ToList();
        Assert.Equal(Mean(missingRows, i => labels[i] ? 1 : 0), Mean(missingRows, i => p[i]), 0.02);
        Assert.Equal(labels.Average(l => l ? 1.0 : 0), p.Average(), 0.01);
        var margins = model.Score([[float.NaN, 0.5f], [2, 0.5f]], contributions: false).Margins;
        Assert.True(margins[0] > margins[1], $"missing scores {margins[0]}, the highest trend {margins[1]}");
    }

    [Fact]
    public void Regressor_FlatEvaluation_EqualsMlNetsScoresIncludingMissingValues()
    {
        var (rows, labels) = Data(4000, seed: 7);
        var targets = rows.Select((r, i) => (labels[i] ? 1.0 : 0.0) - 0.3 * (float.IsNaN(r[1]) ? 0 : r[1])).ToList();
        var model = BoostedRegressor.Train(rows, targets, new BoostedClassifierOptions(Trees: 60, MinExamplesPerLeaf: 20));
        var (test, _) = Data(3000, seed: 8);
        var predicted = model.Predict(test);
        var expected = MlNetScores(model.Model, test);
        for (var i = 0; i < test.Count; i++) Assert.Equal(expected[i], predicted[i], 1e-9);
    }

    // Four features, a fifth of each missing at random; the label leans on the first two and on x0 being missing.
    private static (List<float[]> Rows, List<bool> Labels) Data(int n, int seed)
    {
        var random = new Random(seed);
        var rows = new List<float[]>(n);
        var labels = new List<bool>(n);
        for (var i = 0; i < n; i++)
        {
            var r = Enumerable.Range(0, 4).Select(_ => (float)random.NextDouble()).ToArray();
            var logit = 2 * r[0] - 1.5 * r[1] + r[2] * r[3] - 0.5;
            for (var k = 0; k < r.Length; k++)
                if (random.NextDouble() < 0.2) r[k] = float.NaN;
            if (float.IsNaN(r[0])) logit += 1;
            rows.Add(r);
            labels.Add(random.NextDouble() < 1 / (1 + Math.Exp(-logit)));
        }
        return (rows, labels);
    }

    private static double[] MlNetScores(ITransformer model, IReadOnlyList<float[]> rows)
    {
        var ml = new MLContext(1);
        var schema = SchemaDefinition.Create(typeof(Input));
        schema[nameof(Input.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, rows[0].Length);
        var scored = model.Transform(ml.Data.LoadFromEnumerable(rows.Select(r => new Input { Features = r }), schema));
        return scored.GetColumn<float>("Score").Select(s => (double)s).ToArray();
    }

    private sealed class Input
    {
        public float[] Features { get; set; } = [];
    }
}
