using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using Tributary.Analytics.Classification;

namespace Tributary.Analytics.Uplift;

/// <summary>
/// Gradient-boosted regression trees (LightGBM through ML.NET, squared loss), the second-stage model of the X-learner:
/// it learns a continuous target such as an imputed treatment effect.
/// </summary>
public sealed class BoostedRegressor
{
    private readonly MLContext _ml;
    private readonly ITransformer _model;
    private readonly int _features;

    private BoostedRegressor(MLContext ml, ITransformer model, int features) => (_ml, _model, _features) = (ml, model, features);

    /// <summary>Trains on rows of equal length and their targets; the tree settings are the classifier's.</summary>
    /// <exception cref="ArgumentException">Rows differ in length or there are none.</exception>
    public static BoostedRegressor Train(IReadOnlyList<float[]> rows, IReadOnlyList<double> targets, BoostedClassifierOptions? options = null)
    {
        options ??= new BoostedClassifierOptions();
        if (rows.Count == 0) throw new ArgumentException("training needs rows.", nameof(rows));
        var width = rows[0].Length;
        if (rows.Any(r => r.Length != width)) throw new ArgumentException("every row needs the same number of features.", nameof(rows));
        OpenMpWaitPolicy.EnsurePassive();
        var ml = new MLContext(options.Seed);
        var data = ml.Data.LoadFromEnumerable(rows.Select((r, i) => new Row { Features = r, Label = (float)targets[i] }), Schema(width));
        var trainer = ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
        {
            NumberOfIterations = options.Trees, NumberOfLeaves = options.Leaves, LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf, Seed = options.Seed, NumberOfThreads = Environment.ProcessorCount,
            Booster = new GradientBooster.Options { L2Regularization = 1, FeatureFraction = 0.9 }, Silent = true,
        });
        return new BoostedRegressor(ml, trainer.Fit(data), width);
    }

    /// <summary>Predicted target per row.</summary>
    public double[] Predict(IReadOnlyList<float[]> rows)
    {
        var scored = _model.Transform(_ml.Data.LoadFromEnumerable(rows.Select(r => new Row { Features = r }), Schema(_features)));
        var result = new double[rows.Count];
        using var cursor = scored.GetRowCursor(scored.Schema.Where(c => c.Name == "Score"));
        var score = cursor.GetGetter<float>(scored.Schema["Score"]);
        var i = 0;
        float s = 0;
        while (cursor.MoveNext())
        {
            score(ref s);
            result[i++] = s;
        }
        return result;
    }

    private static SchemaDefinition Schema(int width)
    {
        var schema = SchemaDefinition.Create(typeof(Row));
        schema[nameof(Row.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return schema;
    }

    private sealed class Row
    {
        public float[] Features { get; set; } = [];
        public float Label { get; set; }
    }
}
