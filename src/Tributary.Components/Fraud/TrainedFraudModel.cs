using Tributary.Analytics.Classification;

namespace Tributary.Components.Fraud;

/// <summary>
/// A trained <c>analytics.fraud_model</c> as stored for the online scorer: the boosted trees, their feature names in
/// order, the calibration from the trees' margin (and the logit of the baseline, when the model is stacked with one) to a
/// probability, and the baseline's column. It scores one transaction to the same probability and reason as the batch.
/// </summary>
internal sealed class TrainedFraudModel
{
    private const int FormatVersion = 1;

    public TrainedFraudModel(FlatTreeEnsemble trees, IReadOnlyList<string> features, StackedCalibration calibration, string? baseline)
    {
        if (trees.Features != features.Count) throw new ArgumentException($"the trees read {trees.Features} features; {features.Count} are named.", nameof(features));
        (Trees, Features, Calibration, Baseline) = (trees, features, calibration, baseline is { Length: > 0 } ? baseline : null);
    }

    /// <summary>The boosted trees.</summary>
    public FlatTreeEnsemble Trees { get; }

    /// <summary>Feature names in the order the trees read them.</summary>
    public IReadOnlyList<string> Features { get; }

    /// <summary>From the margin (and the baseline's logit) to a probability.</summary>
    public StackedCalibration Calibration { get; }

    /// <summary>The baseline column stacked with the margin; null without one.</summary>
    public string? Baseline { get; }

    /// <summary>
    /// The probability of one row (the features as the model reads them, NaN for missing) with its baseline value, and
    /// its reason: "model: " and the feature with the largest positive contribution (first of equals), null when none is
    /// positive. <paramref name="parts"/> (one per feature) is overwritten with the contributions.
    /// </summary>
    public (double Probability, string? Reason) Score(ReadOnlySpan<float> row, double? baseline, Span<double> parts)
    {
        var margin = Trees.Contributions(row, parts);
        var probability = Baseline is null ? Calibration.Probability([margin]) : Calibration.Probability([margin, StackedCalibration.Logit(baseline ?? 0)]);
        return (probability, Reason(parts));
    }

    // Compared as float, as contributions were kept before the model was stored.
    private string? Reason(ReadOnlySpan<double> contributions)
    {
        var best = -1;
        var max = 0f;
        for (var j = 0; j < contributions.Length; j++)
            if ((float)contributions[j] > max) (best, max) = (j, (float)contributions[j]);
        return best < 0 ? null : $"model: {Features[best]}";
    }

    /// <summary>The model as bytes; <see cref="Read"/> gives it back.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            w.Write(FormatVersion);
            w.Write(Baseline ?? "");
            w.Write(Calibration.Weights.Count);
            foreach (var weight in Calibration.Weights) w.Write(weight);
            var trees = Trees.ToBytes();
            w.Write(trees.Length);
            w.Write(trees);
        }
        return stream.ToArray();
    }

    /// <summary>A model from <see cref="ToBytes"/> and its feature names.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a stored model of this version.</exception>
    public static TrainedFraudModel Read(byte[] bytes, IReadOnlyList<string> features)
    {
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes));
            if (r.ReadInt32() is var version && version != FormatVersion) throw new InvalidDataException($"stored fraud model format {version}; this version reads {FormatVersion}.");
            var baseline = r.ReadString();
            var count = r.ReadInt32();
            // A weight per input (the margin, and the baseline's logit when there is one) after the intercept.
            if (count != (baseline.Length == 0 ? 2 : 3)) throw new InvalidDataException($"the stored fraud model has {count} calibration weights.");
            var weights = new double[count];
            for (var i = 0; i < count; i++) weights[i] = r.ReadDouble();
            var trees = r.ReadBytes(r.ReadInt32());
            return new TrainedFraudModel(FlatTreeEnsemble.Read(trees), features, new StackedCalibration(weights), baseline);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("the stored fraud model is cut short.", e);
        }
    }
}
