using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;

namespace Tributary.Analytics.Classification;

/// <summary>Settings of the gradient-boosted trees.</summary>
/// <param name="Trees">Boosting rounds. Default 200.</param>
/// <param name="Leaves">Leaves per tree. Default 15.</param>
/// <param name="LearningRate">Shrinkage per round. Default 0.05.</param>
/// <param name="MinExamplesPerLeaf">Fewest rows in a leaf; larger is smoother on small data. Default 40.</param>
/// <param name="Seed">Seed of the trainer, so a run is reproducible. Default 42.</param>
public sealed record BoostedClassifierOptions(int Trees = 200, int Leaves = 15, double LearningRate = 0.05, int MinExamplesPerLeaf = 40, int Seed = 42);

/// <summary>
/// A binary classifier of gradient-boosted trees (LightGBM, Ke et al. 2017, through ML.NET) returning raw margins
/// (log-odds before calibration) and per-row feature contributions along each tree's decision path (Saabas's method,
/// as ML.NET's feature contribution calculation computes it), which sum with a bias to the margin.
/// </summary>
public sealed class BoostedClassifier
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly ITransformer _contributions;
    private readonly int _features;

    private BoostedClassifier(MLContext ml, ITransformer model, ITransformer contributions, int features, double[] importance)
    {
        (_ml, _model, _contributions, _features, Importance) = (ml, model, contributions, features, importance);
    }

    /// <summary>Gain-based importance per feature, scaled to sum to 1.</summary>
    public IReadOnlyList<double> Importance { get; }

    /// <summary>Trains on rows of equal length. Needs both classes.</summary>
    /// <exception cref="ArgumentException">Rows differ in length, or one class is missing.</exception>
    public static BoostedClassifier Train(IReadOnlyList<float[]> rows, IReadOnlyList<bool> labels, BoostedClassifierOptions? options = null)
    {
        options ??= new BoostedClassifierOptions();
        var width = rows.Count == 0 ? 0 : rows[0].Length;
        if (rows.Any(r => r.Length != width)) throw new ArgumentException("every row needs the same number of features.", nameof(rows));
        if (!labels.Contains(true) || !labels.Contains(false)) throw new ArgumentException("training needs both classes.", nameof(labels));
        OpenMpWaitPolicy.EnsurePassive();
        var ml = new MLContext(options.Seed);
        var data = ml.Data.LoadFromEnumerable(rows.Select((r, i) => new Row { Features = r, Label = labels[i] }), Schema(ml, width));
        var trainer = ml.BinaryClassification.Trainers.LightGbm(new LightGbmBinaryTrainer.Options
        {
            NumberOfIterations = options.Trees, NumberOfLeaves = options.Leaves, LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf, Seed = options.Seed, NumberOfThreads = Environment.ProcessorCount,
            Booster = new GradientBooster.Options { L2Regularization = 1, FeatureFraction = 0.9 }, Silent = true,
        });
        var model = trainer.Fit(data);
        var contributions = ml.Transforms.CalculateFeatureContribution(model, numberOfPositiveContributions: width, numberOfNegativeContributions: width, normalize: false).Fit(data);
        var weights = default(VBuffer<float>);
        model.Model.SubModel.GetFeatureWeights(ref weights);
        var dense = weights.DenseValues().Select(w => (double)w).ToArray();
        var total = dense.Sum();
        return new BoostedClassifier(ml, model, contributions, width, dense.Select(w => total > 0 ? w / total : 0).ToArray());
    }

    /// <summary>Raw margins (log-odds before calibration) and, when asked, each row's contribution per feature.</summary>
    public (double[] Margins, float[][]? Contributions) Score(IReadOnlyList<float[]> rows, bool contributions)
    {
        var data = _ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), Schema(_ml, _features));
        var scored = _model.Transform(data);
        if (contributions) scored = _contributions.Transform(scored);
        var margins = new double[rows.Count];
        var parts = contributions ? new float[rows.Count][] : null;
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name is "Score" or "FeatureContributions"));
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        var part = contributions ? cursor.GetGetter<VBuffer<float>>(scored.Schema["FeatureContributions"]) : null;
        var buffer = default(VBuffer<float>);
        var i = 0;
        while (cursor.MoveNext())
        {
            float s = 0;
            score(ref s);
            margins[i] = s;
            if (part is not null)
            {
                part(ref buffer);
                parts![i] = buffer.DenseValues().ToArray();
            }
            i++;
        }
        return (margins, parts);
    }

    private static SchemaDefinition Schema(MLContext ml, int width)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public bool Label { get; set; }
    }
}
