using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Components.Activation;

namespace Tributary.Components.Standardize;

/// <summary>Parameters shared by the standardizers.</summary>
public record StandardizeParameters : IValidatableObject
{
    /// <summary>Default country for national phone numbers.</summary>
    [Description("Country whose national phone numbers a row without a country of its own holds: a calling code (1, 44, 49: its main region, so 1 is the US) or an ISO 3166-1 region code (GB, DE, CA). "
        + "A number written with + or 00 keeps its own country; a row's own country (Shopify billing country, HubSpot Country/Region) comes first. Default 1.")]
    public string DefaultCountryCode { get; init; } = "1";

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ContactNormalizer.DefaultRegion(DefaultCountryCode) is null)
            yield return new ValidationResult(
                $"default_country_code must be a country calling code (e.g. 1, 44, 49) or an ISO 3166-1 region code (e.g. GB, DE), got '{DefaultCountryCode}'.", [nameof(DefaultCountryCode)]);
    }
}
