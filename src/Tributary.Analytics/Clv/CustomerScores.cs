namespace Tributary.Analytics.Clv;

/// <summary>
/// Per customer (row of an <see cref="RfmSummary"/>): P(alive), expected purchases over the horizon, and the same
/// discounted monthly as <see cref="CustomerValue.Discounted"/> computes it (CLV per unit of order value).
/// </summary>
public sealed record CustomerScores(double[] Alive, double[] Expected, double[] Discounted);
