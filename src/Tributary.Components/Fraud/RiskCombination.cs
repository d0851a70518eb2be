namespace Tributary.Components.Fraud;

/// <summary>
/// How <c>analytics.risk_score</c> turns the parts of one transaction into its score, decision and reasons; the batch
/// step and the online scorer (POST /api/score/transaction) both call it, so the two cannot drift apart.
/// </summary>
/// <param name="RuleWeight">Weight of the rule score.</param>
/// <param name="AnomalyWeight">Weight of the anomaly percentile.</param>
/// <param name="ModelWeight">Weight of the supervised model's probability.</param>
/// <param name="Review">Score (0-100) from which a transaction goes to review.</param>
/// <param name="Block">Score (0-100) from which a transaction is blocked.</param>
/// <param name="TopReasons">Most reasons given.</param>
public sealed record RiskCombination(double RuleWeight, double AnomalyWeight, double ModelWeight, double Review, double Block, int TopReasons)
{
    /// <summary>An anomaly model's percentile from which its most isolating feature becomes a reason.</summary>
    public const double ReasonPercentile = 0.95;

    /// <summary>The combination a risk score step is configured with.</summary>
    public static RiskCombination Of(RiskScoreParameters p)
    {
        ArgumentNullException.ThrowIfNull(p);
        return new(p.RuleWeight, p.AnomalyWeight, p.ModelWeight, p.Review, p.Block, p.TopReasons);
    }

    /// <summary>The weighted mean of the parts present, in [0, 1].</summary>
    public double Combine(double rule, double? anomaly, double? model)
    {
        double sum = RuleWeight * rule, weights = RuleWeight;
        if (anomaly is { } a) { sum += AnomalyWeight * a; weights += AnomalyWeight; }
        if (model is { } m) { sum += ModelWeight * m; weights += ModelWeight; }
        return weights > 0 ? Math.Clamp(sum / weights, 0, 1) : 0;
    }

    /// <summary>
    /// Score, decision and reasons of one transaction. <paramref name="ruleReasons"/> are the reasons of the rules fired,
    /// strongest first, joined by "; " (as rules.fraud writes them); <paramref name="anomaly"/> holds each anomaly model's
    /// percentile (null where it has none) and <paramref name="topFeatures"/> its most isolating feature;
    /// <paramref name="probability"/> is the trained model's probability, null without one.
    /// </summary>
    public RiskAssessment Assess(double rule, string? ruleReasons, IReadOnlyList<double?> anomaly, IReadOnlyList<string?> topFeatures, double? probability, string? modelReason)
    {
        ArgumentNullException.ThrowIfNull(anomaly);
        ArgumentNullException.ThrowIfNull(topFeatures);
        var present = anomaly.Where(a => a is not null).Select(a => a!.Value).ToList();
        double? anomalyMean = present.Count > 0 ? present.Average() : null;
        var combined = Combine(rule, anomalyMean, probability);
        var reasons = new List<(double Strength, string Text)>();
        // Rules keep their order (strongest first) among themselves.
        if (rule > 0 && ruleReasons is { } fired) reasons.AddRange(fired.Split("; ").Select((text, k) => (rule - k * 1e-6, text)));
        for (var k = 0; k < anomaly.Count; k++)
            if (anomaly[k] >= ReasonPercentile && topFeatures[k] is { Length: > 0 } f && !reasons.Any(x => x.Text == $"unusual {f}")) reasons.Add((anomaly[k]!.Value, $"unusual {f}"));
        if (probability is >= 0.5 && modelReason is { Length: > 0 }) reasons.Add((probability.Value, modelReason));
        var score = Math.Round(100 * combined, 1);
        var decision = score >= Block ? "block" : score >= Review ? "review" : "allow";
        // A transaction sent to review or blocked always says why: when no part was strong enough to give a reason, the
        // part that carried it there does (an analyst cannot act on an alert without one).
        if (reasons.Count == 0 && decision != "allow") reasons.AddRange(Fallback(anomaly, topFeatures, probability, modelReason));
        var text = reasons.Count == 0 ? null : string.Join("; ", reasons.OrderByDescending(x => x.Strength).Take(TopReasons).Select(x => x.Text));
        return new RiskAssessment(score, decision, text, anomalyMean, combined);
    }

    // The most anomalous model's feature, or the model's reason when the supervised part is the larger.
    private static IEnumerable<(double Strength, string Text)> Fallback(IReadOnlyList<double?> anomaly, IReadOnlyList<string?> topFeatures, double? probability, string? modelReason)
    {
        var best = Enumerable.Range(0, anomaly.Count).Where(k => anomaly[k] is not null && topFeatures[k] is { Length: > 0 })
            .OrderByDescending(k => anomaly[k]!.Value).Select(k => (int?)k).FirstOrDefault();
        if (probability is { } m && modelReason is { Length: > 0 } && (best is null || m >= anomaly[best.Value]!.Value)) return [(m, modelReason)];
        return best is { } b ? [(anomaly[b]!.Value, $"unusual {topFeatures[b]}")] : [];
    }
}
