using Tributary.Analytics.Budget;

namespace Tributary.Analytics.Tests.Budget;

public sealed class BudgetTests
{
    private static (double[] Spend, double[] Response) Simulate(ResponseCurve truth, int days, double noise, int seed)
    {
        var random = new Random(seed);
        var spend = Enumerable.Range(0, days).Select(_ => random.NextDouble() < 0.1 ? 0 : 20 + 180 * random.NextDouble()).ToArray();
        var response = truth.Predict(spend).Select(r => r + noise * Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())).ToArray();
        return (spend, response);
    }

    [Fact]
    public void Fit_GeneratedSpend_RecoversTheTrueCurve()
    {
        var truth = new ResponseCurve(Theta: 0.5, Beta: 1000, Kappa: 250, Shape: 1.6);
        var (spend, response) = Simulate(truth, 365, noise: 5, seed: 3);

        var fit = ResponseCurveFitter.Fit(spend, response);

        // Stated tolerance: θ within 0.05, β, κ within 10%, s within 15%.
        Assert.Null(fit.Warning);
        Assert.True(fit.RSquared > 0.95, $"R² {fit.RSquared}");
        Assert.Equal(truth.Theta, fit.Curve.Theta, 0.05);
        Assert.Equal(truth.Beta, fit.Curve.Beta, truth.Beta * 0.10);
        Assert.Equal(truth.Kappa, fit.Curve.Kappa, truth.Kappa * 0.10);
        Assert.Equal(truth.Shape, fit.Curve.Shape, truth.Shape * 0.15);
    }

    [Fact]
    public void Fit_ThinData_Warns()
    {
        var (spend, response) = Simulate(new ResponseCurve(0.3, 100, 50, 1), 12, 1, 4);
        Assert.Equal("only 12 days of data; at least 30 are needed for a stable curve", ResponseCurveFitter.Fit(spend, response).Warning);
    }

    [Fact]
    public void Fit_ResponseThatNeverFlattens_StaysInTheObservedRangeAndSaysTheEvidenceIsWeak()
    {
        // Linear in spend with no carryover: nothing in the data says where it saturates. Unbounded, the fit sends κ and β
        // to 1e11 and beyond together; bounded, the half-saturation spend stays at most the highest day's spend.
        var random = new Random(5);
        var spend = Enumerable.Range(0, 200).Select(_ => 50 + 150 * random.NextDouble()).ToArray();
        var response = spend.Select(x => 0.1 * x + random.NextDouble()).ToArray();

        var fit = ResponseCurveFitter.Fit(spend, response);

        Assert.True(fit.WeakEvidence);
        Assert.StartsWith("the response has not flattened within the observed spend", fit.Warning, StringComparison.Ordinal);
        Assert.InRange(fit.HalfSaturationSpend, spend.Min() / 2, spend.Max() * 1.0001);
        Assert.InRange(fit.Curve.Theta, 0, ResponseCurveFitter.MaxTheta);
        Assert.InRange(fit.Curve.Shape, ResponseCurveFitter.MinShape, ResponseCurveFitter.MaxShape);
        Assert.True(fit.Curve.Beta < 100 * response.Max(), $"beta {fit.Curve.Beta}");
        Assert.True(fit.RSquared > 0.9, $"R² {fit.RSquared}");
    }

    [Fact]
    public void Fit_ResponseThatSaturatesWithinTheData_IsNotWeak()
    {
        var (spend, response) = Simulate(new ResponseCurve(Theta: 0.3, Beta: 500, Kappa: 120, Shape: 1.2), 365, noise: 3, seed: 8);

        var fit = ResponseCurveFitter.Fit(spend, response);

        Assert.False(fit.WeakEvidence, fit.Warning);
        Assert.Equal(120 * 0.7, fit.HalfSaturationSpend, 120 * 0.7 * 0.15);
    }

    [Fact]
    public void Allocate_TwoChannels_BeatsCurrentAndEqualizesMarginalReturns()
    {
        var search = new ResponseCurve(0.2, 500, 100, 1.0);
        var display = new ResponseCurve(0.6, 300, 400, 1.2);
        BudgetChannel[] channels = [new("search", search, CurrentSpend: 100), new("display", display, CurrentSpend: 300)];

        var allocation = BudgetAllocator.Allocate(channels, budget: 400);

        Assert.Equal(400, allocation.Spend.Values.Sum(), 1e-6);
        Assert.True(allocation.ExpectedResponse > allocation.CurrentResponse, $"{allocation.ExpectedResponse} vs {allocation.CurrentResponse}");
        Assert.True(allocation.Lift > 0.05);
        double Marginal(ResponseCurve c, double x) => (c.SteadyState(x + 0.5) - c.SteadyState(x - 0.5));
        Assert.Equal(Marginal(search, allocation.Spend["search"]), Marginal(display, allocation.Spend["display"]), 0.02);
    }

    [Fact]
    public void Allocate_SShapedCurve_NeverRecommendsLessThanTheCurrentSplit()
    {
        // 'brand' is S-shaped (s = 4): its first dollars return almost nothing, so greedy filling from zero pours the
        // budget into the small concave 'niche' (response ≈ 10). The current split already earns ≈ 100.
        var brand = new ResponseCurve(0, 100, 50, 4);
        var niche = new ResponseCurve(0, 10, 1, 1);
        BudgetChannel[] channels = [new("brand", brand, CurrentSpend: 90), new("niche", niche, CurrentSpend: 10)];

        var allocation = BudgetAllocator.Allocate(channels, budget: 100);

        Assert.True(allocation.ExpectedResponse >= allocation.CurrentResponse, $"{allocation.ExpectedResponse} vs {allocation.CurrentResponse}");
        Assert.True(allocation.CurrentResponse > 95);
        Assert.True(allocation.Spend["brand"] > 80, $"brand {allocation.Spend["brand"]}");
        Assert.Equal(100, allocation.Spend.Values.Sum(), 1e-6);
    }

    [Fact]
    public void Allocate_RespectsBoundsAndRefusesImpossibleOnes()
    {
        var curve = new ResponseCurve(0, 100, 10, 1);
        var allocation = BudgetAllocator.Allocate([new("a", curve, 50, MinSpend: 60), new("b", curve, 50, MaxSpend: 20)], 100);
        Assert.True(allocation.Spend["a"] >= 60 - 1e-9 && allocation.Spend["b"] <= 20 + 1e-9);

        var e = Assert.Throws<ArgumentException>(() => BudgetAllocator.Allocate([new("a", curve, 50, MinSpend: 80), new("b", curve, 50, MinSpend: 40)], 100));
        Assert.Equal("the channels' minimums add up to 120, more than the budget 100.", e.Message);
    }
}
