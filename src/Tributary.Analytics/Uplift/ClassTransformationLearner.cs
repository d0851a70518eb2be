using Tributary.Analytics.Classification;

namespace Tributary.Analytics.Uplift;

/// <summary>
/// The class-transformation approach (Jaśkowski &amp; Jaroszewicz 2012): Z = 1 for a treated customer who converted or a
/// control customer who did not, so that with equal arms τ(x) = 2·P(Z = 1 | x) − 1, and one classifier learns it. The
/// identity needs P(treated) = ½: when the arms differ in size, the larger one is thinned to the smaller by a fixed
/// stride (every customer of the smaller arm kept) before fitting.
/// </summary>
public sealed class ClassTransformationLearner : IUpliftModel
{
    private readonly ProbabilityModel _z;

    private ClassTransformationLearner(ProbabilityModel z) => _z = z;

    /// <summary>Fits P(Z = 1 | x) on balanced arms.</summary>
    public static ClassTransformationLearner Fit(UpliftSample sample, BoostedClassifierOptions? options = null)
    {
        sample.EnsureLearnable();
        var treated = Enumerable.Range(0, sample.Count).Where(i => sample.Treated[i]).ToList();
        var control = Enumerable.Range(0, sample.Count).Where(i => !sample.Treated[i]).ToList();
        var n = Math.Min(treated.Count, control.Count);
        var keep = Thin(treated, n).Concat(Thin(control, n)).Order().ToList();
        var rows = keep.Select(i => sample.Rows[i]).ToList();
        var z = keep.Select(i => sample.Treated[i] == sample.Converted[i]).ToList();
        return new ClassTransformationLearner(ProbabilityModel.Train(rows, z, options));
    }

    /// <inheritdoc />
    public double[] Uplift(IReadOnlyList<float[]> rows) => _z.Predict(rows).Select(p => 2 * p - 1).ToArray();

    // n of the indexes, evenly spaced.
    private static IEnumerable<int> Thin(List<int> indexes, int n) =>
        n >= indexes.Count ? indexes : Enumerable.Range(0, n).Select(k => indexes[(int)((long)k * indexes.Count / n)]);
}
