using Tributary.Analytics.Fitting;

namespace Tributary.Analytics.Tests.Fitting;

public sealed class MaximumLikelihoodTests
{
    [Fact]
    public void Maximize_GammaSample_FindsTheMleWithStandardErrors()
    {
        // Exponential rate λ from 4 observations summing to 8: MLE 4/8 = 0.5, SE = λ/√n = 0.25.
        var fit = MaximumLikelihood.Maximize(p => 4 * Math.Log(p[0]) - p[0] * 8, [1]);
        Assert.True(fit.Converged);
        Assert.Equal(0.5, fit.Parameters[0], 1e-5);
        Assert.Equal(0.25, fit.StandardErrors[0], 1e-3);
    }

    [Fact]
    public void Maximize_LikelihoodRisingForever_ReturnsBestPointNotConverged()
    {
        var fit = MaximumLikelihood.Maximize(p => Math.Log(p[0]) + Math.Log(p[1]), [1, 1], new MaximumLikelihoodOptions(MaxIterations: 200));
        Assert.False(fit.Converged);
        Assert.True(fit.Parameters[0] > 1 && fit.Parameters[1] > 1);
    }
}
