using Tributary.Analytics.Uplift;
using Tributary.Components.Propensity;

namespace Tributary.Components.Tests.Propensity;

public sealed class UpliftModellingTests
{
    private static readonly UpliftParameters Defaults = new();

    [Fact]
    public void Group_NegativeEstimateWhoseHoldoutEvidenceCrossesZero_IsUnprovenNotDoNotDisturb()
    {
        // 10 of 50 treated against 12 of 50 control: −0.04, interval well across 0.
        var noise = ObservedUplift.Of(50, 10, 50, 12);
        Assert.Equal("unproven", UpliftModelling.Group(Defaults, -0.10, 0.1, inSend: true, noise, harmConfirmed: false));
        Assert.Equal("unproven", UpliftModelling.Group(Defaults, -0.10, 0.5, inSend: true, noise, harmConfirmed: false));
    }

    [Fact]
    public void Group_PositiveEstimateWithoutConfidentEvidence_IsUnprovenNeverLostCauseOrSureThing()
    {
        // A clearly positive estimate is banded "persuade" and targeted: its group must not say the contact changes nothing.
        var noise = ObservedUplift.Of(50, 10, 50, 12);
        Assert.Equal("unproven", UpliftModelling.Group(Defaults, 0.10, 0.1, inSend: true, noise, harmConfirmed: false));
        Assert.Equal("unproven", UpliftModelling.Group(Defaults, 0.10, 0.5, inSend: true, noise, harmConfirmed: false));
        Assert.Equal("unproven", UpliftModelling.Group(Defaults, Defaults.MinEffect, 0.1, inSend: true, noise, harmConfirmed: false));
        // Within min_effect of 0 the contact is taken to change little: P(order without contact) decides.
        Assert.Equal("lost_cause", UpliftModelling.Group(Defaults, 0.01, 0.1, inSend: true, noise, harmConfirmed: false));
        Assert.Equal("sure_thing", UpliftModelling.Group(Defaults, -0.01, 0.5, inSend: true, noise, harmConfirmed: false));
    }

    [Fact]
    public void Group_ConfidentEvidence_GivesTheEffectsGroupOnlyToCustomersOfTheSend()
    {
        var harmed = ObservedUplift.Of(100, 5, 100, 40);
        var helped = ObservedUplift.Of(100, 40, 100, 5);
        Assert.Equal("do_not_disturb", UpliftModelling.Group(Defaults, -0.10, 0.1, inSend: true, harmed, harmConfirmed: true));
        Assert.Equal("persuadable", UpliftModelling.Group(Defaults, 0.10, 0.1, inSend: true, helped, harmConfirmed: false));
        // Past min_effect is still needed, and a customer outside the send has no evidence of their own.
        Assert.Equal("lost_cause", UpliftModelling.Group(Defaults, -0.01, 0.1, inSend: true, harmed, harmConfirmed: true));
        Assert.Equal("unproven", UpliftModelling.Group(Defaults, 0.10, 0.1, inSend: false, helped, harmConfirmed: false));
    }

    [Fact]
    public void Group_ConfidentlyNegativeBinButNotAmongItsConfirmedHarm_IsUnproven()
    {
        // The bin's interval is below 0, but only its lowest estimates are shown to be harmed (UpliftCalibration.ConfirmedHarm).
        var harmed = ObservedUplift.Of(100, 5, 100, 40);
        Assert.Equal("unproven", UpliftModelling.Group(Defaults, -0.10, 0.1, inSend: true, harmed, harmConfirmed: false));
        Assert.Equal("do_not_disturb", UpliftModelling.Group(Defaults, -0.10, 0.1, inSend: true, harmed, harmConfirmed: true));
    }

    [Fact]
    public void Group_TinyArmsAllConvertedAgainstNone_IsNotPersuadableOnTheAgrestiCaffoInterval()
    {
        // 2 of 2 treated, 0 of 2 control: raw +1.0 ± 0.60 would clear 0; the interval is centred at 3/4 − 1/4 = 0.5, low −0.10.
        var tiny = ObservedUplift.Of(2, 2, 2, 0);
        Assert.Equal(0.5 - 1.96 * Math.Sqrt(0.375 / 4), tiny.Low(), 12);
        Assert.Equal("unproven", UpliftModelling.Group(Defaults, 0.10, 0.1, inSend: true, tiny, harmConfirmed: false));
    }
}
