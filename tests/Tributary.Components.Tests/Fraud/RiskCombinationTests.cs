using Tributary.Components.Fraud;

namespace Tributary.Components.Tests.Fraud;

public sealed class RiskCombinationTests
{
    // A batch of 100 transactions: 90 without a rule fired, 10 with rule score 0.7; anomaly scores 0, 1, ..., 99; model
    // probabilities 0.00, 0.01, ..., 0.99. Rules 1, anomaly 2, model 1; review from 40, block from 80; three reasons at most.
    private static readonly RiskCombination Template = new RiskCombination(1, 2, 1, Review: 40, Block: 80, TopReasons: 3)
    {
        Rules = new ScoreReference([.. Enumerable.Repeat(0.0, 90), .. Enumerable.Repeat(0.7, 10)]),
        Anomaly = [new ScoreReference(Enumerable.Range(0, 100).Select(i => (double)i))],
        Model = new ScoreReference(Enumerable.Range(0, 100).Select(i => i / 100.0)),
    };

    [Fact]
    public void Combine_OnePartAtItsExtreme_OutranksTwoPartsHighInTheirOwnTies()
    {
        // x: no rule, the highest anomaly score (1 of 100 at or above it): evidence 0 and ln 100 / ln 100 = 1, (0 + 2) / 3.
        // y: rule 0.7 (10 of 100 at or above), anomaly 90 (10 of 100): evidence 0.5 and 0.5, (0.5 + 1) / 3. A weighted mean
        // of the raw parts would rank y first: (0.7 + 2 × 90/99) / 3 = 0.84 against (0 + 2 × 1) / 3 = 0.67.
        var x = Template.Combine(0, [99.0], null);
        var y = Template.Combine(0.7, [90.0], null);

        Assert.Equal(2.0 / 3, x, 12);
        Assert.Equal(0.5, y, 12);
    }

    [Fact]
    public void Combine_AScoreBeyondTheReference_CountsAsItsExtreme()
    {
        // Online, a score above every batch score has a tail of 1/n at least, not 0: evidence 1, never infinite.
        Assert.Equal(1.0, Template.Combine(0.9, [1_000.0], 5.0), 12);
        Assert.Equal(0.0, Template.Combine(0, [-1.0], 0.0), 12);
    }

    [Fact]
    public void Assess_ReviewReachedThroughAModerateAnomaly_NamesItsFeature()
    {
        // No rule fired, anomaly 93 (percentile 93/99 = 0.94, below the 0.95 a reason needs on its own; 7 of 100 at or
        // above it): 100 × 2 ln(100/7) / (3 ln 100) = 38.5, allowed; with rule 0.7 added (evidence 0.5): 55.2, review.
        var allowed = Template.Assess(0, null, [93.0], ["cards_per_email_24h"], null, null);
        var flagged = Template.Assess(0.7, null, [93.0], ["cards_per_email_24h"], null, null);

        Assert.Equal(("allow", 38.5, (string?)null), (allowed.Decision, allowed.Score, allowed.Reasons));
        Assert.Equal(("review", 55.2), (flagged.Decision, flagged.Score));
        Assert.Equal("unusual cards per email 24h", flagged.Reasons);
        Assert.Equal(93.0 / 99, flagged.AnomalyPart!.Value, 12);
    }

    [Fact]
    public void Assess_ReviewCarriedByTheModel_GivesTheModelsReasonWhenItOutweighsTheForest()
    {
        // Rule 0, anomaly 30 (percentile 0.30), probability 0.45 (55 of 100 at or above, below the 0.5 a reason needs):
        // 100 × (0 + 2 ln(100/70) + ln(100/55)) / (4 ln 100) = 7.1 with the model; under a review line of 7 it goes to review
        // and the model, above the forest's percentile, says why.
        var combination = Template with { Review = 7 };
        var flagged = combination.Assess(0, null, [30.0], ["amount"], 0.45, "model: new device");

        Assert.Equal(("review", 7.1), (flagged.Decision, flagged.Score));
        Assert.Equal("model: new device", flagged.Reasons);
    }

    [Fact]
    public void Assess_StrongParts_KeepTheirOwnReasonsAndAllowedOnesHaveNone()
    {
        // Rule 1 (above every batch rule score, evidence 1), anomaly 98 (percentile 0.99, 2 of 100 at or above it):
        // 100 × (1 + 2 ln 50 / ln 100) / 3 = 90.0.
        var strong = Template.Assess(1, "many attempts; new card", [98.0], ["amount"], null, null);
        var allowed = Template.Assess(0, null, [20.0], ["amount"], null, null);

        Assert.Equal("many attempts; new card; unusual amount", strong.Reasons);
        Assert.Equal(("block", 90.0), (strong.Decision, strong.Score));
        Assert.Equal(("allow", (string?)null), (allowed.Decision, allowed.Reasons));
    }
}
