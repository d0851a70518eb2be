using Tributary.Analytics.Experiments;

namespace Tributary.Analytics.Tests.Experiments;

public sealed class ExperimentPowerTests
{
    [Fact]
    public void Plan_TextbookConversionCase_NeedsFourteenThousandPerArm()
    {
        // Base 10% (sd 0.3), +10% relative, α 0.05, power 0.8: n = (1.959964 + 0.841621)²·2·0.09/0.01² = 14,128.
        var plan = ExperimentPower.Plan(0.1, 0.3, 0.1, 14128, unitsPerDay: 1000);
        Assert.Equal(14128, plan.UnitsPerVariant);
        Assert.Equal(0.8, plan.PowerNow, 1e-3);
        Assert.Equal(0.1, plan.MinimumDetectableEffect, 1e-4);
        Assert.Equal(28.256, plan.DaysNeeded, 1e-3);
    }

    [Fact]
    public void Plan_CupedReduction_ShrinksSampleByOneMinusRSquared()
    {
        var plain = ExperimentPower.Plan(0.1, 0.3, 0.1, 1000, 0);
        var cuped = ExperimentPower.Plan(0.1, 0.3, 0.1, 1000, 0, varianceReduction: 0.49);
        Assert.Equal(plain.UnitsPerVariant * 0.51, cuped.UnitsPerVariant, plain.UnitsPerVariant * 0.001);
        Assert.True(double.IsNaN(plain.DaysNeeded));
    }
}
