namespace Tributary.Components.Fraud;

/// <summary>
/// How <c>analytics.risk_score</c> turns the parts of one transaction into its score, decision and reasons; the batch
/// step and the online scorer (POST /api/score/transaction) both call it, so the two cannot drift apart.
/// </summary>
/// <remarks>
/// Each part's score becomes evidence against the batch's own distribution of that part (<see cref="ScoreReference.Evidence"/>:
/// −ln of its upper tail probability over ln n), and the combined score is the weighted mean of the evidence of the
/// parts present. Up to the constant ln n this is Good's weighted form of Fisher's combination of independent tests,
/// Σ wᵢ(−ln pᵢ) (Fisher 1932, §21.1; Good 1955, "On the weighted combination of significance tests", JRSS B 17(2)
/// 264–265): a part at its own extreme (a tail of 1/n) adds its full weight whatever the others say, so the rare
/// transactions one part isolates are not pulled down by another part's ties and noise, as a weighted mean of raw
/// scores pulled them.
/// </remarks>
/// <param name="RuleWeight">Weight of the rules' evidence.</param>
/// <param name="AnomalyWeight">Weight of the anomaly models' evidence (their mean).</param>
/// <param name="ModelWeight">Weight of the supervised model's evidence.</param>
/// <param name="Review">Score (0-100) from which a transaction goes to review.</param>
/// <param name="Block">Score (0-100) from which a transaction is blocked.</param>
/// <param name="TopReasons">Most reasons given.</param>
public sealed record RiskCombination(double RuleWeight, double AnomalyWeight, double ModelWeight, double Review, double Block, int TopReasons)
{
    /// <summary>An anomaly model's percentile from which its most isolating feature becomes a reason.</summary>
    public const double ReasonPercentile = 0.95;

    /// <summary>The batch's rule scores.</summary>
    internal ScoreReference Rules { get; init; } = new([]);

    /// <summary>The batch's scores of each anomaly model, in the step's order.</summary>
    internal IReadOnlyList<ScoreReference> Anomaly { get; init; } = [];

    /// <summary>The batch's probabilities of the trained supervised model; null without one.</summary>
    internal ScoreReference? Model { get; init; }

    /// <summary>The combination a risk score step is configured with, before its references are read.</summary>
    public static RiskCombination Of(RiskScoreParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.RuleWeight, p.AnomalyWeight, p.ModelWeight, p.Review, p.Block, p.TopReasons);
    }

    /// <summary>
    /// The combination with its references read from the tables of a run: the rule scores of <paramref name="rules"/>, the
    /// anomaly scores of each of <paramref name="anomaly"/>, and the trained probabilities of <paramref name="model"/>.
    /// </summary>
    internal async Task<RiskCombination> WithReferencesAsync(Core.Warehousing.IWarehouse warehouse, string rules, IReadOnlyList<string> anomaly, string? model, CancellationToken cancellationToken)
    {
        var forests = new List<ScoreReference>();
        foreach (var a in anomaly) forests.Add(await ScoreReference.ReadAsync(warehouse, a, "anomaly_score", null, cancellationToken).ConfigureAwait(false));
        return this with
        {
            Rules = await ScoreReference.ReadAsync(warehouse, rules, "rule_score", null, cancellationToken).ConfigureAwait(false),
            Anomaly = forests,
            Model = model is null ? null : await ScoreReference.ReadAsync(warehouse, model, "fraud_probability", "model_trained", cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>Percentile (SQL's percent_rank) of anomaly model <paramref name="k"/>'s score among the batch's.</summary>
    public double AnomalyPercentile(int k, double score) => Anomaly[k].Percentile(score);

    /// <summary>
    /// The combined score in [0, 1]: the weighted mean of the evidence of the parts present (the anomaly models' the mean of
    /// theirs). <paramref name="anomaly"/> holds each anomaly model's raw score, null where it has none.
    /// </summary>
    public double Combine(double rule, ReadOnlySpan<double?> anomaly, double? probability)
    {
        double sum = RuleWeight * Rules.Evidence(rule), weights = RuleWeight;
        double evidence = 0;
        var present = 0;
        for (var k = 0; k < anomaly.Length; k++)
            if (anomaly[k] is { } a) { evidence += Anomaly[k].Evidence(a); present++; }
        if (present > 0) { sum += AnomalyWeight * evidence / present; weights += AnomalyWeight; }
        if (probability is { } m && Model is { } reference) { sum += ModelWeight * reference.Evidence(m); weights += ModelWeight; }
        return weights > 0 ? Math.Clamp(sum / weights, 0, 1) : 0;
    }

    /// <summary>
    /// Score, decision and reasons of one transaction. <paramref name="ruleReasons"/> are the reasons of the rules fired,
    /// strongest first, joined by "; " (as rules.fraud writes them); <paramref name="anomaly"/> holds each anomaly model's
    /// score (null where it has none) and <paramref name="topFeatures"/> its most isolating feature;
    /// <paramref name="probability"/> is the trained model's probability, null without one.
    /// </summary>
    public RiskAssessment Assess(double rule, string? ruleReasons, IReadOnlyList<double?> anomaly, IReadOnlyList<string?> topFeatures, double? probability, string? modelReason)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        ArgumentNullException.ThrowIfNull(topFeatures);
        IReadOnlyList<double?> percentiles = [.. anomaly.Select((a, k) => a is { } s ? AnomalyPercentile(k, s) : (double?)null)];
        var present = percentiles.Where(a => a is not null).Select(a => a!.Value).ToList();
        double? anomalyMean = present.Count > 0 ? present.Average() : null;
        var combined = Combine(rule, anomaly is double?[] scores ? scores : [.. anomaly], probability);
        var reasons = new List<(double Strength, string Text)>();
        // Rules keep their order (strongest first) among themselves.
        if (rule > 0 && ruleReasons is { } fired) reasons.AddRange(fired.Split("; ").Select((text, k) => (rule - k * 1e-6, text)));
        for (var k = 0; k < percentiles.Count; k++)
            if (percentiles[k] >= ReasonPercentile && topFeatures[k] is { Length: > 0 } f && Unusual(f) is var unusual && !reasons.Any(x => x.Text == unusual)) reasons.Add((percentiles[k]!.Value, unusual));
        if (probability is >= 0.5 && modelReason is { Length: > 0 }) reasons.Add((probability.Value, modelReason));
        var score = Math.Round(100 * combined, 1);
        var decision = score >= Block ? "block" : score >= Review ? "review" : "allow";
        // A transaction sent to review or blocked always says why: when no part was strong enough to give a reason, the
        // part that carried it there does (an analyst cannot act on an alert without one).
        if (reasons.Count == 0 && decision != "allow") reasons.AddRange(Fallback(percentiles, topFeatures, probability, modelReason));
        var text = reasons.Count == 0 ? null : string.Join("; ", reasons.OrderByDescending(x => x.Strength).Take(TopReasons).Select(x => x.Text));
        return new RiskAssessment(score, decision, text, anomalyMean, combined);
    }

    // The most anomalous model's feature, or the model's reason when the supervised part is the larger.
    private static IEnumerable<(double Strength, string Text)> Fallback(IReadOnlyList<double?> anomaly, IReadOnlyList<string?> topFeatures, double? probability, string? modelReason)
    {
        var best = Enumerable.Range(0, anomaly.Count).Where(k => anomaly[k] is not null && topFeatures[k] is { Length: > 0 })
            .OrderByDescending(k => anomaly[k]!.Value).Select(k => (int?)k).FirstOrDefault();
        if (probability is { } m && modelReason is { Length: > 0 } && (best is null || m >= anomaly[best.Value]!.Value)) return [(m, modelReason)];
        return best is { } b ? [(anomaly[b]!.Value, Unusual(topFeatures[b]!))] : [];
    }

    // An anomaly model's reason: the feature that isolated the transaction, in words.
    private static string Unusual(string feature) => $"unusual {FraudFeatureText.Describe(feature)}";
}
