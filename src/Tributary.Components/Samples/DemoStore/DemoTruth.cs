namespace Tributary.Components.Samples.DemoStore;

/// <summary>
/// The generator's stated ground truth: BG/NBD purchase and dropout parameters (per day), Gamma-Gamma spend,
/// each channel's exposure and incremental effect on a journey's conversion, and the experiment's true lift.
/// Journeys convert with P = 1 − (1 − base)·Π(1 − effect_c) over the channels touched (a noisy-OR).
/// </summary>
public static class DemoTruth
{
    /// <summary>BG/NBD r (gamma shape of daily purchase rates).</summary>
    public const double R = 0.6;
    /// <summary>BG/NBD α in days (gamma rate).</summary>
    public const double Alpha = 45;
    /// <summary>BG/NBD a (beta dropout).</summary>
    public const double A = 0.8;
    /// <summary>BG/NBD b (beta dropout).</summary>
    public const double B = 3.0;
    /// <summary>Gamma-Gamma p.</summary>
    public const double P = 5;
    /// <summary>Gamma-Gamma q.</summary>
    public const double Q = 4;
    /// <summary>Gamma-Gamma γ (order values in the store currency, before conversion).</summary>
    public const double Gamma = 40;
    /// <summary>Conversion probability of a journey with no channel touch.</summary>
    public const double BaseConversion = 0.02;

    /// <summary>Channels with the chance a journey touches them, their true incremental effect, and their campaigns.</summary>
    public static IReadOnlyList<DemoChannel> Channels { get; } =
    [
        new("paid_search", 0.30, 0.12, "google", "cpc", ["brand_search", "generic_search"]),
        new("email", 0.25, 0.10, "newsletter", "email", ["weekly_digest", "winback"]),
        new("paid_social", 0.30, 0.06, "facebook", "paid_social", ["prospecting", "retargeting"]),
        new("organic_search", 0.35, 0.05, "google", "organic", []),
        new("referral", 0.10, 0.04, "partner-blog.example", "referral", []),
        new("affiliate", 0.08, 0.03, "dealsite", "affiliate", ["cashback"]),
        new("display", 0.25, 0.01, "google", "display", ["display_remarketing"]),
    ];

    /// <summary>The A/B test: variant B's relative lift on the base conversion of journeys that reach checkout.</summary>
    public const string Experiment = "checkout_button_color";
    /// <summary>True relative lift of variant B.</summary>
    public const double ExperimentLift = 0.15;

    /// <summary>Conversion probability of a journey (noisy-OR of the touched channels; B lifts the base).</summary>
    public static double Conversion(bool[] touched, bool variantB)
    {
        var stay = 1 - BaseConversion * (variantB ? 1 + ExperimentLift : 1);
        for (var c = 0; c < touched.Length; c++)
            if (touched[c]) stay *= 1 - Channels[c].Effect;
        return 1 - stay;
    }
}

/// <summary>A marketing channel in the demo store.</summary>
public sealed record DemoChannel(string Name, double Exposure, double Effect, string UtmSource, string UtmMedium, IReadOnlyList<string> Campaigns);
