namespace Tributary.Core.Components;

/// <summary>
/// Marks a parameter that names an IANA time zone. The loader refuses a name no zone has, at its key and with the code
/// an unknown zone has everywhere in a pipeline (TRIB0401), so a typo fails validation rather than the run.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class TimeZoneNameAttribute : Attribute;
