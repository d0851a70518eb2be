namespace Tributary.Analytics.Experiments;

/// <summary>An arm's estimated metric mean and the variance of that estimate (not of a unit), with its unit count.</summary>
/// <param name="Mean">Estimated mean (or ratio) of the metric in the arm.</param>
/// <param name="Variance">Variance of <paramref name="Mean"/> as an estimator, i.e. squared standard error.</param>
/// <param name="Units">Units in the arm.</param>
/// <param name="UnadjustedVariance">Variance the estimate would have without CUPED, for the reported reduction.</param>
public readonly record struct ArmEstimate(double Mean, double Variance, long Units, double UnadjustedVariance);
