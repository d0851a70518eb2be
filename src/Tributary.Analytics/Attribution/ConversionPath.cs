namespace Tributary.Analytics.Attribution;

/// <summary>One journey: the channels touched in order, whether it converted, its value, and (for time decay) each touch's age in days at conversion.</summary>
public sealed record ConversionPath(IReadOnlyList<string> Channels, bool Converted, double Value = 1, IReadOnlyList<double>? DaysBeforeConversion = null);

/// <summary>Credit per channel: attributed conversions and attributed value.</summary>
public sealed record ChannelCredit(string Channel, double Conversions, double Value);
