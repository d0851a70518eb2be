namespace Tributary.Analytics.Clv;

/// <summary>
/// Discounted residual value of a customer over a horizon: expected purchases per month from the repeat-purchase
/// model, times expected value per purchase from Gamma-Gamma, discounted monthly at an annual rate
/// (the monthly discretization of Fader, Hardie &amp; Lee 2005, "RFM and CLV", eq. 2, as commonly applied).
/// </summary>
public static class CustomerValue
{
    /// <summary>Σ_k (E[Y(t_k)] − E[Y(t_{k−1})]) · value / (1 + rate)^(t_k in years), over monthly steps to the horizon.</summary>
    /// <param name="model">The fitted repeat-purchase model.</param>
    /// <param name="x">Repeat transactions in calibration.</param>
    /// <param name="tx">Time of the last transaction (model time unit).</param>
    /// <param name="t">Time observed (model time unit).</param>
    /// <param name="horizon">Horizon (model time unit).</param>
    /// <param name="unitsPerYear">Model time units in a year: 365.25 for days, 365.25/7 for weeks.</param>
    /// <param name="annualDiscountRate">e.g. 0.1 for 10% a year.</param>
    /// <param name="valuePerPurchase">Expected value of each future purchase.</param>
    public static double Discounted(IRepeatPurchaseModel model, double x, double tx, double t, double horizon, double unitsPerYear,
        double annualDiscountRate, double valuePerPurchase)
    {
        if (horizon <= 0) return 0;
        var month = unitsPerYear / 12;
        var steps = (int)Math.Ceiling(horizon / month - 1e-9);
        double total = 0, previous = 0;
        for (var k = 1; k <= steps; k++)
        {
            var at = Math.Min(k * month, horizon);
            var cumulative = model.ExpectedPurchases(x, tx, t, at);
            total += (cumulative - previous) / Math.Pow(1 + annualDiscountRate, at / unitsPerYear);
            previous = cumulative;
        }
        return total * valuePerPurchase;
    }
}
