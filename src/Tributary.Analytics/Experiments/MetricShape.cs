namespace Tributary.Analytics.Experiments;

/// <summary>How a metric's per-arm value is formed from the units' values.</summary>
public enum MetricShape
{
    /// <summary>Mean of y per unit (conversion, count, revenue); x is the pre-exposure covariate.</summary>
    Mean,
    /// <summary>Σy / Σx over the units (e.g. revenue per session); x is the denominator, and CUPED does not apply.</summary>
    Ratio,
}
