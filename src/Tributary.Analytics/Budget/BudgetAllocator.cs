namespace Tributary.Analytics.Budget;

/// <summary>A channel to allocate to: its fitted curve, current daily spend, and bounds.</summary>
public sealed record BudgetChannel(string Name, ResponseCurve Curve, double CurrentSpend, double MinSpend = 0, double MaxSpend = double.PositiveInfinity);

/// <summary>An allocation: daily spend per channel and the expected daily response of it and of the current one.</summary>
public sealed record BudgetAllocation(IReadOnlyDictionary<string, double> Spend, double ExpectedResponse, double CurrentResponse)
{
    /// <summary>Relative gain over the current allocation.</summary>
    public double Lift => CurrentResponse <= 0 ? 0 : ExpectedResponse / CurrentResponse - 1;
}

/// <summary>
/// Allocates a daily budget across channels to maximize steady-state response: minimums first, then the rest in
/// small increments, each to the channel with the largest marginal return (greedy water-filling, which equalizes
/// marginal returns and, unlike a Lagrange bisection, copes with S-shaped Hill curves).
/// </summary>
public static class BudgetAllocator
{
    /// <summary>Allocates <paramref name="budget"/> per day; <paramref name="steps"/> sets the increment (budget / steps).</summary>
    public static BudgetAllocation Allocate(IReadOnlyList<BudgetChannel> channels, double budget, int steps = 2000)
    {
        var minimum = channels.Sum(c => c.MinSpend);
        if (minimum > budget) throw new ArgumentException($"the channels' minimums add up to {minimum:0.##}, more than the budget {budget:0.##}.");
        if (channels.Sum(c => c.MaxSpend) < budget) throw new ArgumentException($"the channels' maximums add up to less than the budget {budget:0.##}.");
        var spend = channels.Select(c => c.MinSpend).ToArray();
        var step = (budget - minimum) / steps;
        for (var k = 0; k < steps; k++)
        {
            var best = -1;
            var gain = double.NegativeInfinity;
            for (var i = 0; i < channels.Count; i++)
            {
                if (spend[i] + step > channels[i].MaxSpend + 1e-9) continue;
                var g = channels[i].Curve.SteadyState(spend[i] + step) - channels[i].Curve.SteadyState(spend[i]);
                if (g > gain) (best, gain) = (i, g);
            }
            spend[best] += step;
        }
        return new BudgetAllocation(
            channels.Select((c, i) => (c.Name, spend[i])).ToDictionary(x => x.Name, x => x.Item2, StringComparer.Ordinal),
            channels.Select((c, i) => c.Curve.SteadyState(spend[i])).Sum(),
            channels.Sum(c => c.Curve.SteadyState(c.CurrentSpend)));
    }
}
