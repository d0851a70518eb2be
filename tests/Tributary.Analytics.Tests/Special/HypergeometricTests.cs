using Tributary.Analytics.Special;

namespace Tributary.Analytics.Tests.Special;

/// <summary>2F1 against closed forms (Abramowitz &amp; Stegun 15.1.3–15.1.8), including points near z = 1.</summary>
public sealed class HypergeometricTests
{
    [Theory]
    [InlineData(0.5)]
    [InlineData(0.9)]
    [InlineData(0.99)]
    public void Hyp2F1_OneOneTwo_IsMinusLogOneMinusZOverZ(double z) =>
        Assert.Equal(-Math.Log(1 - z) / z, Hypergeometric.Hyp2F1(1, 1, 2, z), 1e-12 * Math.Abs(Math.Log(1 - z) / z));

    [Theory]
    [InlineData(2.5, 3, 0.5)]
    [InlineData(2.5, 3, 0.9999)]
    [InlineData(50.243, 52.4, 0.999)]
    public void Hyp2F1_BEqualsC_IsOneMinusZToMinusA(double a, double b, double z)
    {
        var expected = Math.Pow(1 - z, -a);
        Assert.Equal(expected, Hypergeometric.Hyp2F1(a, b, b, z), expected * 1e-12);
    }

    [Theory]
    [InlineData(0.3)]
    [InlineData(0.95)]
    public void Hyp2F1_HalfHalfThreeHalves_IsArcsinOverZ(double x) =>
        Assert.Equal(Math.Asin(x) / x, Hypergeometric.Hyp2F1(0.5, 0.5, 1.5, x * x), 1e-12);

    [Fact]
    public void LogHyp2F1_HugeValueNearOne_DoesNotOverflow()
    {
        // (1 - z)^(-a) with a = 400, z = 1 - 1e-6: ln = 400 · ln(1e6) ≈ 5526, far past double's range.
        Assert.Equal(400 * Math.Log(1e6), Hypergeometric.LogHyp2F1(400, 3, 3, 1 - 1e-6), 1e-6);
    }

    [Fact]
    public void Hyp2F1_ZOutOfRange_Throws() => Assert.Throws<ArgumentOutOfRangeException>(() => Hypergeometric.Hyp2F1(1, 1, 2, 1));

    [Theory]
    [InlineData(1e-12)]
    [InlineData(-1e-10)]
    public void PreciseMath_Log1PAndExpM1_KeepFullPrecisionNearZero(double x)
    {
        // Two Taylor terms are exact to double precision here; the naive forms lose about 4 digits at 1e-12.
        Assert.Equal(x - x * x / 2, PreciseMath.Log1P(x), Math.Abs(x) * 1e-15);
        Assert.Equal(x + x * x / 2, PreciseMath.ExpM1(x), Math.Abs(x) * 1e-15);
    }

    [Fact]
    public void PreciseMath_AwayFromZero_MatchesTheDirectForms()
    {
        Assert.Equal(Math.Log(1.5), PreciseMath.Log1P(0.5), 1e-15);
        Assert.Equal(Math.Exp(2) - 1, PreciseMath.ExpM1(2), 1e-14);
    }

    [Theory]
    [InlineData(1.243, 3.426, 3.462)] // c - a - b < 0: Euler's transformation
    [InlineData(0.5, 0.5, 2.5)]       // c - a - b > 0: the direct series
    [InlineData(3.258, 5.391, 6.157)] // BG/NBD at x = 3 (r + x, b + x, a + b + x - 1): Euler's form with a negative c - b
    public void LogHyp2F1_SeveralZ_EqualsEachScalarEvaluationToRounding(double a, double b, double c)
    {
        // The vector form sums all z until the slowest converges; the scalar form stops each at its own last term, so the
        // two may differ only in the last bits (extra terms are below 1e-17 of the sum). 13 values fill four vectors unevenly.
        double[] z = [0, 1e-6, 0.1, 0.5, 0.9, 0.97, 0.999, 0.02, 0.3, 0.7, 0.8, 0.85, 0.917];
        var result = new double[z.Length];

        Hypergeometric.LogHyp2F1(a, b, c, z, result);

        for (var k = 0; k < z.Length; k++)
        {
            var scalar = Hypergeometric.LogHyp2F1(a, b, c, z[k]);
            Assert.Equal(scalar, result[k], 1e-14 * Math.Max(1, Math.Abs(scalar)));
        }
    }

    [Fact]
    public void LogHyp2F1_SeveralZ_OneOutsideTheRange_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Hypergeometric.LogHyp2F1(1, 1, 2, [0.5, 1.0], new double[2]));
}
