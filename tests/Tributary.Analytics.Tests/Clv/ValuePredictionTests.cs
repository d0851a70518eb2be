using MathNet.Numerics.Distributions;
using Tributary.Analytics.Clv;

namespace Tributary.Analytics.Tests.Clv;

public sealed class ValuePredictionTests
{
    private static readonly BgNbdParameters Truth = new(0.25, 4, 0.8, 2.5);
    private static readonly GammaGammaParameters Spend = new(6, 4, 15);

    // A BG/NBD + Gamma-Gamma store with known parameters: each customer's calibration history (x, t_x, T, z̄ of the repeat
    // purchases) and the undiscounted value they then spend over the next 39 weeks, drawn from the same story.
    private static (RfmSummary History, double[] MeanValue, double[] Realised) Store(int customers, int seed)
    {
        var random = new Random(seed);
        var (x, tx, t, z, realised) = (new double[customers], new double[customers], new double[customers], new double[customers], new double[customers]);
        for (var i = 0; i < customers; i++)
        {
            var rate = Gamma.Sample(random, Truth.R, Truth.Alpha);
            var dropout = Beta.Sample(random, Truth.A, Truth.B);
            var nu = Gamma.Sample(random, Spend.Q, Spend.Gamma);
            t[i] = 10 + 29 * random.NextDouble();
            double clock = 0, spent = 0;
            var alive = true;
            while (alive)
            {
                clock += Exponential.Sample(random, rate);
                if (clock > t[i] + 39) break;
                var value = Gamma.Sample(random, Spend.P, nu);
                if (clock <= t[i]) (x[i], tx[i], spent) = (x[i] + 1, clock, spent + value);
                else realised[i] += value;
                alive = random.NextDouble() >= dropout;
            }
            z[i] = x[i] > 0 ? spent / x[i] : 0;
        }
        return (new RfmSummary(x, tx, t), z, realised);
    }

    private static double Coverage(double[] low, double[] high, double[] realised, Func<int, bool>? who = null)
    {
        var members = Enumerable.Range(0, realised.Length).Where(who ?? (_ => true)).ToList();
        return members.Count(i => low[i] <= realised[i] && realised[i] <= high[i]) / (double)members.Count;
    }

    [Fact]
    public void Interval_StoreWithKnownParameters_CoversTheRealisedValueForNinetyPercent()
    {
        var (history, z, realised) = Store(6000, 7);
        var alive = Enumerable.Range(0, history.Count).Select(i => Truth.ProbabilityAlive(history.Frequency[i], history.Recency[i], history.Age[i])).ToArray();

        var (low, high) = ValuePrediction.Interval(Truth, Spend, history, history.Frequency, z, alive,
            new ValuePredictionOptions(39, 365.25 / 7, 0, 1000, 42), TestContext.Current.CancellationToken);

        // 6,000 customers: a binomial standard error of 0.3 points. Each tail holds 5%, less where a customer is more than 5%
        // likely to buy nothing: their 5% quantile is 0, nothing lies below it, and their interval covers 95%.
        var coverage = Coverage(low, high, realised);
        TestContext.Current.TestOutputHelper?.WriteLine($"coverage {coverage:0.000}, repeat buyers {Coverage(low, high, realised, i => history.Frequency[i] > 0):0.000}, holdout buyers {Coverage(low, high, realised, i => realised[i] > 0):0.000}, above {Enumerable.Range(0, realised.Length).Count(i => realised[i] > high[i]) / (double)realised.Length:0.000}, below {Enumerable.Range(0, realised.Length).Count(i => realised[i] < low[i]) / (double)realised.Length:0.000}");
        Assert.InRange(coverage, 0.9, 0.97);
        Assert.InRange(Enumerable.Range(0, realised.Length).Count(i => realised[i] > high[i]) / (double)realised.Length, 0.035, 0.065);
        Assert.InRange(Enumerable.Range(0, realised.Length).Count(i => realised[i] < low[i]) / (double)realised.Length, 0, 0.05);
        Assert.InRange(Coverage(low, high, realised, i => history.Frequency[i] > 0), 0.9, 0.97);
        // The point value (what an interval of the expected value surrounds) matches nobody's realised value.
        var expected = Enumerable.Range(0, history.Count).Select(i => BgNbd.ExpectedPurchases(Truth, history.Frequency[i], history.Recency[i], history.Age[i], 39)
            * GammaGamma.ExpectedAverageValue(Spend, history.Frequency[i], z[i])).ToArray();
        Assert.Equal(0, Coverage(expected, expected, realised));
    }

    [Fact]
    public void Interval_SameInputs_SameBitsAndNoMoreThanTheSimulationsAsk()
    {
        var (history, z, _) = Store(500, 3);
        var alive = Enumerable.Range(0, history.Count).Select(i => Truth.ProbabilityAlive(history.Frequency[i], history.Recency[i], history.Age[i])).ToArray();
        var options = new ValuePredictionOptions(52, 365.25 / 7, 0.1, 200, 1);

        var first = ValuePrediction.Interval(Truth, Spend, history, history.Frequency, z, alive, options, TestContext.Current.CancellationToken);
        var second = ValuePrediction.Interval(Truth, Spend, history, history.Frequency, z, alive, options, TestContext.Current.CancellationToken);

        Assert.Equal(first.Low, second.Low);
        Assert.Equal(first.High, second.High);
        Assert.All(Enumerable.Range(0, history.Count), i => Assert.True(0 <= first.Low[i] && first.Low[i] <= first.High[i], $"customer {i}: {first.Low[i]}..{first.High[i]}"));
    }

    [Fact]
    public void Interval_ParetoNbd_CoversTheRealisedValueOfItsOwnStore()
    {
        var truth = new ParetoNbdParameters(0.55, 10, 0.6, 12);
        var random = new Random(11);
        const int Customers = 4000;
        var (x, tx, t, z, realised) = (new double[Customers], new double[Customers], new double[Customers], new double[Customers], new double[Customers]);
        for (var i = 0; i < Customers; i++)
        {
            var rate = Gamma.Sample(random, truth.R, truth.Alpha);
            var life = Exponential.Sample(random, Gamma.Sample(random, truth.S, truth.Beta));
            var nu = Gamma.Sample(random, Spend.Q, Spend.Gamma);
            t[i] = 10 + 29 * random.NextDouble();
            double clock = 0, spent = 0;
            while (true)
            {
                clock += Exponential.Sample(random, rate);
                if (clock > Math.Min(life, t[i] + 39)) break;
                var value = Gamma.Sample(random, Spend.P, nu);
                if (clock <= t[i]) (x[i], tx[i], spent) = (x[i] + 1, clock, spent + value);
                else realised[i] += value;
            }
            z[i] = x[i] > 0 ? spent / x[i] : 0;
        }
        var history = new RfmSummary(x, tx, t);
        var alive = Enumerable.Range(0, Customers).Select(i => truth.ProbabilityAlive(x[i], tx[i], t[i])).ToArray();

        var (low, high) = ValuePrediction.Interval(truth, Spend, history, x, z, alive, new ValuePredictionOptions(39, 365.25 / 7, 0, 1000, 42),
            TestContext.Current.CancellationToken);

        TestContext.Current.TestOutputHelper?.WriteLine($"coverage {Coverage(low, high, realised):0.000}, holdout buyers {Coverage(low, high, realised, i => realised[i] > 0):0.000}");
        Assert.InRange(Coverage(low, high, realised), 0.9, 0.97);
        Assert.InRange(Enumerable.Range(0, Customers).Count(i => realised[i] > high[i]) / (double)Customers, 0.03, 0.07);
    }

    [Fact]
    public void MixtureQuantile_AliveChanceBelowTheLevel_IsZero()
    {
        double[] sorted = [0, 1, 2, 3, 4];
        Assert.Equal(0, ValuePrediction.MixtureQuantile(sorted, 0.04, 0.95));
        // P(alive) 0.5: the 0.95 quantile of the mixture is the 0.9 quantile of the alive values, 3.6 interpolated.
        Assert.Equal(3.6, ValuePrediction.MixtureQuantile(sorted, 0.5, 0.95), 1e-12);
        Assert.Equal(4, ValuePrediction.MixtureQuantile(sorted, 1, 1), 1e-12);
    }
}
