using System.ComponentModel;

namespace Tributary.Components.Standardize;

/// <summary>Parameters shared by the standardizers.</summary>
public sealed record StandardizeParameters
{
    /// <summary>Default calling code for national phone numbers.</summary>
    [Description("Country calling code for phone numbers written without one (e.g. 1, 44, 49). Default 1.")]
    public string DefaultCountryCode { get; init; } = "1";
}
