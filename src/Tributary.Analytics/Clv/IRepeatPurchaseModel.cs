namespace Tributary.Analytics.Clv;

/// <summary>A fitted buy-till-you-die model, as CLV needs it: conditional expectations per customer.</summary>
public interface IRepeatPurchaseModel
{
    /// <summary>Model name as reported: <c>bgnbd</c> or <c>pareto_nbd</c>.</summary>
    string Name { get; }

    /// <summary>P(alive | x, t_x, T).</summary>
    double ProbabilityAlive(double x, double tx, double t);

    /// <summary>E[transactions in (T, T + horizon] | x, t_x, T].</summary>
    double ExpectedPurchases(double x, double tx, double t, double horizon);
}
