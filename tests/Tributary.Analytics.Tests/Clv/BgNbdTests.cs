using Tributary.Analytics.Clv;

namespace Tributary.Analytics.Tests.Clv;

public sealed class BgNbdTests
{
    [Fact]
    public void Fit_CdnowSample_ReproducesPublishedParameters()
    {
        var data = Cdnow.Summary();
        Assert.Equal(2357, data.Count);

        var fit = BgNbd.Fit(data);

        // FHL 2005, section 5: r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = -9582.4. Within 0.5%.
        Assert.Equal(0.243, fit.Parameters.R, 0.243 * 0.005);
        Assert.Equal(4.414, fit.Parameters.Alpha, 4.414 * 0.005);
        Assert.Equal(0.793, fit.Parameters.A, 0.793 * 0.005);
        Assert.Equal(2.426, fit.Parameters.B, 2.426 * 0.005);
        Assert.Equal(-9582.4, fit.Estimate.LogLikelihood, 0.1);
        Assert.True(fit.Estimate.Converged);
        Assert.All(fit.Estimate.StandardErrors, se => Assert.True(se > 0 && se < 1, $"standard error {se}"));
    }

    [Fact]
    public void ExpectedPurchases_PublishedCustomer_MatchesFhl()
    {
        // FHL 2005, section 5: a customer with x = 2, t_x = 30.43, T = 38.86 is expected to make 1.226 purchases in the next 39 weeks.
        var p = new BgNbdParameters(0.243, 4.414, 0.793, 2.426);
        Assert.Equal(1.226, BgNbd.ExpectedPurchases(p, 2, 30.43, 38.86, 39), 0.001);
    }

    [Fact]
    public void Score_ManyCustomers_EqualsThePerCustomerFormulas()
    {
        var p = new BgNbdParameters(0.243, 4.414, 0.793, 2.426);
        var data = BgNbdSimulation.Simulate(p, 400, 39, new Random(5));
        // Ages and recencies on a weekly grid, so customers share (x, T) as real data does.
        data = data with { Age = data.Age.Select((t, i) => t - i % 7).ToArray(), Recency = data.Recency.Select((r, i) => Math.Min(Math.Round(r), 39 - i % 7)).ToArray() };

        var scores = BgNbd.Score(p, data, 52, 365.25 / 7, 0.1, TestContext.Current.CancellationToken);

        for (var i = 0; i < data.Count; i++)
        {
            var (x, tx, t) = (data.Frequency[i], data.Recency[i], data.Age[i]);
            Assert.Equal(BgNbd.ProbabilityAlive(p, x, tx, t), scores.Alive[i], 1e-12);
            Assert.Equal(BgNbd.ExpectedPurchases(p, x, tx, t, 52), scores.Expected[i], 1e-12);
            Assert.Equal(CustomerValue.Discounted(p, x, tx, t, 52, 365.25 / 7, 0.1, 1), scores.Discounted[i], 1e-12);
        }
    }

    [Theory]
    [InlineData(52)]
    [InlineData(52.1)]
    public void Score_SeveralParameterSets_EachEqualsItsOwnPerCustomerFormulas(double horizon)
    {
        // A fit and two draws in one pass, as the CLV interval scores them; 52.1 weeks ends between two monthly steps.
        BgNbdParameters[] sets = [new(0.243, 4.414, 0.793, 2.426), new(0.3, 5.1, 0.6, 2.0), new(0.2, 3.9, 1.4, 3.1)];
        var data = BgNbdSimulation.Simulate(sets[0], 300, 39, new Random(8));
        data = data with { Age = data.Age.Select((t, i) => t - i % 5).ToArray(), Recency = data.Recency.Select((r, i) => Math.Min(Math.Round(r), 39 - i % 5)).ToArray() };

        var scores = BgNbd.Score(sets, data, horizon, 365.25 / 7, 0.1, TestContext.Current.CancellationToken);

        Assert.Equal(sets.Length, scores.Count);
        for (var s = 0; s < sets.Length; s++)
            for (var i = 0; i < data.Count; i++)
            {
                var (x, tx, t) = (data.Frequency[i], data.Recency[i], data.Age[i]);
                Assert.Equal(BgNbd.ProbabilityAlive(sets[s], x, tx, t), scores[s].Alive[i], 1e-12);
                Assert.Equal(BgNbd.ExpectedPurchases(sets[s], x, tx, t, horizon), scores[s].Expected[i], 1e-12);
                Assert.Equal(CustomerValue.Discounted(sets[s], x, tx, t, horizon, 365.25 / 7, 0.1, 1), scores[s].Discounted[i], 1e-12);
            }
    }

    [Theory]
    [InlineData(52)]
    [InlineData(52.1)]
    public void DiscountedPurchases_SeveralSets_EqualsEachSetsPerCustomerFormulaRowByRow(double horizon)
    {
        // The interval's draws: discounted purchases only, row i's value under set s at [i * sets + s].
        BgNbdParameters[] sets = [new(0.243, 4.414, 0.793, 2.426), new(0.3, 5.1, 0.6, 2.0), new(0.2, 3.9, 1.4, 3.1)];
        var data = BgNbdSimulation.Simulate(sets[0], 300, 39, new Random(9));
        data = data with { Age = data.Age.Select((t, i) => t - i % 5).ToArray(), Recency = data.Recency.Select((r, i) => Math.Min(Math.Round(r), 39 - i % 5)).ToArray() };

        var values = BgNbd.DiscountedPurchases(sets, data, horizon, 365.25 / 7, 0.1, TestContext.Current.CancellationToken);

        Assert.Equal(data.Count * sets.Length, values.Length);
        for (var i = 0; i < data.Count; i++)
            for (var s = 0; s < sets.Length; s++)
                Assert.Equal(CustomerValue.Discounted(sets[s], data.Frequency[i], data.Recency[i], data.Age[i], horizon, 365.25 / 7, 0.1, 1), values[i * sets.Length + s], 1e-12);
    }

    [Fact]
    public void ExpectedPurchases_ZeroHorizon_IsZero() =>
        Assert.Equal(0, BgNbd.ExpectedPurchases(new BgNbdParameters(0.243, 4.414, 0.793, 2.426), 3, 20, 30, 0));

    [Fact]
    public void ProbabilityAlive_NoRepeatPurchase_IsOneAndFallsWithLongSilence()
    {
        var p = new BgNbdParameters(0.243, 4.414, 0.793, 2.426);
        Assert.Equal(1, BgNbd.ProbabilityAlive(p, 0, 0, 38.86));
        Assert.True(BgNbd.ProbabilityAlive(p, 5, 38, 38.86) > BgNbd.ProbabilityAlive(p, 5, 10, 38.86));
    }

    [Fact]
    public void ExpectedPurchasesNewCustomer_MatchesTheSumOfAnIndividualWithNoHistory()
    {
        // A customer observed for an instant with no repeat purchases is a new customer.
        var p = new BgNbdParameters(0.243, 4.414, 0.793, 2.426);
        Assert.Equal(BgNbd.ExpectedPurchasesNewCustomer(p, 39), BgNbd.ExpectedPurchases(p, 0, 0, 1e-12, 39), 1e-9);
    }
}

public sealed class BgNbdSimulationTests
{
    [Fact]
    public void Fit_SimulatedCustomers_RecoversTrueParametersWithinSamplingError()
    {
        var truth = new BgNbdParameters(0.5, 6, 0.7, 2.5);
        var data = BgNbdSimulation.Simulate(truth, 8000, 52, new Random(2024));

        var fit = BgNbd.Fit(data);

        double[] expected = [truth.R, truth.Alpha, truth.A, truth.B];
        for (var i = 0; i < 4; i++)
        {
            var z = (fit.Estimate.Parameters[i] - expected[i]) / fit.Estimate.StandardErrors[i];
            Assert.True(Math.Abs(z) < 3.5, $"parameter {i}: fitted {fit.Estimate.Parameters[i]:0.###}, true {expected[i]}, z = {z:0.00}");
        }
    }

    [Fact]
    public void Simulate_SameSeed_SameCustomers()
    {
        var truth = new BgNbdParameters(0.5, 6, 0.7, 2.5);
        var a = BgNbdSimulation.Simulate(truth, 100, 52, new Random(1));
        var b = BgNbdSimulation.Simulate(truth, 100, 52, new Random(1));
        Assert.Equal(a.Frequency, b.Frequency);
        Assert.Equal(a.Recency, b.Recency);
    }
}
