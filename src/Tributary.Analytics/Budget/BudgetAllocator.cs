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
/// Allocates a daily budget across channels to maximize steady-state response. Two searches, the better one wins:
/// greedy water-filling from the minimums (each small increment to the largest marginal return, which equalizes
/// marginal returns on concave curves), and a hill climb from the current split (scaled to the budget) that moves
/// budget between pairs of channels while it helps, halving the step. Greedy alone can strand S-shaped Hill curves
/// (s &gt; 1), whose first dollars return almost nothing; the climb guarantees the result is never worse than the
/// current split when that split fits the bounds.
/// </summary>
public static class BudgetAllocator
{
    /// <summary>Allocates <paramref name="budget"/> per day; <paramref name="steps"/> sets the increment (budget / steps).</summary>
    public static BudgetAllocation Allocate(IReadOnlyList<BudgetChannel> channels, double budget, int steps = 2000)
    {
        var minimum = channels.Sum(c => c.MinSpend);
        if (minimum > budget) throw new ArgumentException($"the channels' minimums add up to {minimum:0.##}, more than the budget {budget:0.##}.");
        if (channels.Sum(c => c.MaxSpend) < budget) throw new ArgumentException($"the channels' maximums add up to less than the budget {budget:0.##}.");
        var greedy = Greedy(channels, budget, minimum, steps);
        var climbed = Climb(channels, Start(channels, budget), budget / steps);
        var spend = Total(channels, climbed) > Total(channels, greedy) ? climbed : greedy;
        return new BudgetAllocation(
            channels.Select((c, i) => (c.Name, spend[i])).ToDictionary(x => x.Name, x => x.Item2, StringComparer.Ordinal),
            channels.Select((c, i) => c.Curve.SteadyState(spend[i])).Sum(),
            channels.Sum(c => c.Curve.SteadyState(c.CurrentSpend)));
    }

    private static double Total(IReadOnlyList<BudgetChannel> channels, double[] spend) => channels.Select((c, i) => c.Curve.SteadyState(spend[i])).Sum();

    private static double[] Greedy(IReadOnlyList<BudgetChannel> channels, double budget, double minimum, int steps)
    {
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
        return spend;
    }

    // The current split scaled to the budget, then pushed inside the bounds (clipping and spreading the rest).
    private static double[] Start(IReadOnlyList<BudgetChannel> channels, double budget)
    {
        var current = channels.Sum(c => c.CurrentSpend);
        var spend = channels.Select(c => current > 0 ? c.CurrentSpend * budget / current : budget / channels.Count).ToArray();
        for (var round = 0; round < 100; round++)
        {
            for (var i = 0; i < spend.Length; i++) spend[i] = Math.Clamp(spend[i], channels[i].MinSpend, channels[i].MaxSpend);
            var gap = budget - spend.Sum();
            if (Math.Abs(gap) < 1e-9 * Math.Max(1, budget)) break;
            var free = Enumerable.Range(0, spend.Length).Where(i => gap > 0 ? spend[i] < channels[i].MaxSpend : spend[i] > channels[i].MinSpend).ToList();
            foreach (var i in free) spend[i] += gap / free.Count;
        }
        return spend;
    }

    // Pairwise moves of 'step' from one channel to another while the total response rises; the step halves when none does.
    private static double[] Climb(IReadOnlyList<BudgetChannel> channels, double[] spend, double smallest)
    {
        var step = Math.Max(spend.Sum() / 4, smallest);
        while (step >= smallest)
        {
            var improved = false;
            for (var from = 0; from < spend.Length; from++)
                for (var to = 0; to < spend.Length; to++)
                {
                    if (from == to || spend[from] - step < channels[from].MinSpend - 1e-9 || spend[to] + step > channels[to].MaxSpend + 1e-9) continue;
                    var delta = channels[from].Curve.SteadyState(spend[from] - step) - channels[from].Curve.SteadyState(spend[from])
                        + channels[to].Curve.SteadyState(spend[to] + step) - channels[to].Curve.SteadyState(spend[to]);
                    if (delta <= 1e-12) continue;
                    spend[from] -= step;
                    spend[to] += step;
                    improved = true;
                }
            if (!improved) step /= 2;
        }
        return spend;
    }
}
