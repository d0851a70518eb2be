namespace Tributary.Analytics.Experiments;

/// <summary>A variant's lift over control with fixed-horizon (Welch) intervals at the requested level.</summary>
/// <param name="Control">Control arm's estimate.</param>
/// <param name="Treatment">Variant arm's estimate.</param>
/// <param name="Absolute">Treatment mean − control mean.</param>
/// <param name="AbsoluteStdError">Standard error of <paramref name="Absolute"/>.</param>
/// <param name="Relative">Treatment mean / control mean − 1.</param>
/// <param name="RelativeStdError">Delta-method standard error of <paramref name="Relative"/>.</param>
/// <param name="DegreesOfFreedom">Welch–Satterthwaite degrees of freedom.</param>
/// <param name="AbsoluteLow">Lower end of the absolute interval.</param>
/// <param name="AbsoluteHigh">Upper end of the absolute interval.</param>
/// <param name="RelativeLow">Lower end of the relative interval.</param>
/// <param name="RelativeHigh">Upper end of the relative interval.</param>
/// <param name="PValue">Two-sided p-value of no relative lift.</param>
/// <param name="VarianceReduction">1 − adjusted / unadjusted variance of the lift (0 without CUPED).</param>
public sealed record LiftEstimate(
    ArmEstimate Control, ArmEstimate Treatment, double Absolute, double AbsoluteStdError, double Relative, double RelativeStdError,
    double DegreesOfFreedom, double AbsoluteLow, double AbsoluteHigh, double RelativeLow, double RelativeHigh, double PValue, double VarianceReduction);
