using Tributary.Components.Fraud;

namespace Tributary.Components.Tests.Fraud;

public sealed class RiskCombinationTests
{
    // Rules 1, anomaly 2, model 1; review from 40, block from 80; three reasons at most (the template's shape).
    private static readonly RiskCombination Template = new(1, 2, 1, Review: 40, Block: 80, TopReasons: 3);

    [Fact]
    public void Assess_ReviewReachedThroughAModerateAnomaly_NamesItsFeature()
    {
        // No rule fired, percentile 0.7 (below the 0.95 a reason needs on its own): (0 + 2 × 0.7) / 3 = 46.7, review.
        var assessment = Template.Assess(0, null, [0.7], ["cards_per_email_24h"], null, null);

        Assert.Equal(("review", 46.7), (assessment.Decision, assessment.Score));
        Assert.Equal("unusual cards_per_email_24h", assessment.Reasons);
    }

    [Fact]
    public void Assess_ReviewCarriedByTheModel_GivesTheModelsReasonWhenItOutweighsTheForest()
    {
        // Equal weights: (0.2 + 0.3 + 0.45) / 3 = 31.7; no part strong enough for a reason of its own (no rule reason,
        // percentile below 0.95, probability below 0.5). Allowed under a review line of 40, sent to review under 30.
        var allowed = new RiskCombination(1, 1, 1, Review: 40, Block: 80, TopReasons: 3).Assess(0.2, null, [0.3], ["amount"], 0.45, "model: new device");
        var flagged = new RiskCombination(1, 1, 1, Review: 30, Block: 80, TopReasons: 3).Assess(0.2, null, [0.3], ["amount"], 0.45, "model: new device");

        Assert.Equal(("allow", (string?)null), (allowed.Decision, allowed.Reasons));
        Assert.Equal(("review", 31.7), (flagged.Decision, flagged.Score));
        Assert.Equal("model: new device", flagged.Reasons);
    }

    [Fact]
    public void Assess_StrongParts_KeepTheirOwnReasonsAndAllowedOnesHaveNone()
    {
        var strong = Template.Assess(1, "many attempts; new card", [0.99], ["amount"], null, null);
        var allowed = Template.Assess(0, null, [0.2], ["amount"], null, null);

        Assert.Equal("many attempts; new card; unusual amount", strong.Reasons);
        Assert.Equal(("allow", (string?)null), (allowed.Decision, allowed.Reasons));
    }
}
