using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.LightGbm;
using Tributary.Analytics.Classification;

namespace Tributary.Analytics.Uplift;

/// <summary>
/// Gradient-boosted regression trees (LightGBM through ML.NET, squared loss), the second-stage model of the X-learner:
/// it learns a continuous target such as an imputed treatment effect. Trained by ML.NET, evaluated as a
/// <see cref="FlatTreeEnsemble"/> (the same predictions without ML.NET's data views).
/// </summary>
public sealed class BoostedRegressor
{
    private readonly FlatTreeEnsemble _trees;

    private BoostedRegressor(FlatTreeEnsemble trees, ITransformer model) => (_trees, Model) = (trees, model);

    /// <summary>ML.NET's trained model, kept so tests can hold the flat evaluation to it.</summary>
    internal ITransformer Model { get; }

    /// <summary>Trains on rows of equal length, NaN standing for a missing value, and their targets; the tree settings are the classifier's.</summary>
    /// <exception cref="ArgumentException">Rows differ in length or there are none.</exception>
    public static BoostedRegressor Train(IReadOnlyList<float[]> rows, IReadOnlyList<double> targets, BoostedClassifierOptions? options = null)
    {
        options ??= new BoostedClassifierOptions();
        if (rows.Count == 0) throw new ArgumentException("training needs rows.", nameof(rows));
        var width = rows[0].Length;
        if (rows.Any(r => r.Length != width)) throw new ArgumentException("every row needs the same number of features.", nameof(rows));
        OpenMpWaitPolicy.EnsurePassive();
        var ml = new MLContext(options.Seed);
        var trainer = ml.Regression.Trainers.LightGbm(new LightGbmRegressionTrainer.Options
        {
            NumberOfIterations = options.Trees, NumberOfLeaves = options.Leaves, LearningRate = options.LearningRate,
            MinimumExampleCountPerLeaf = options.MinExamplesPerLeaf, Seed = options.Seed, NumberOfThreads = Environment.ProcessorCount,
            Booster = new GradientBooster.Options { L2Regularization = 1, FeatureFraction = 0.9 }, Silent = true,
            // As the classifier: NaN is missing and zero a value (LightGBM's use_missing, zero_as_missing = false).
            HandleMissingValue = true, UseZeroAsMissingValue = false,
        });
        var model = trainer.Fit(new RowsDataView<float>(rows, targets.Select(t => (float)t).ToArray(), width));
        return new BoostedRegressor(FlatTreeEnsemble.FromMlNet(model.Model.TrainedTreeEnsemble, rows, width), model);
    }

    /// <summary>Predicted target per row.</summary>
    public double[] Predict(IReadOnlyList<float[]> rows)
    {
        if (rows.Any(r => r.Length != _trees.Features)) throw new ArgumentException($"every row needs {_trees.Features} features.", nameof(rows));
        return _trees.Margins(rows);
    }
}
