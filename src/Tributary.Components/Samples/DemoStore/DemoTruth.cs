namespace Tributary.Components.Samples.DemoStore;

/// <summary>
/// The generator's stated ground truth: BG/NBD purchase and dropout parameters (per day), Gamma-Gamma spend,
/// each channel's exposure and incremental effect on a journey's conversion, and the experiment's true lift.
/// Two truths of channel credit follow from it: <see cref="Credit"/> (a Shapley split) and <see cref="Incremental"/>
/// (conversions lost without the channel): two questions, of which the Shapley split is the one the shapley model estimates.
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
    /// <summary>Share of people whose Shopify orders all say Accepts Marketing: no (ground_truth/consent.csv).</summary>
    public const double ShopifyOptOutShare = 0.05;
    /// <summary>Share of people unsubscribed from all email in HubSpot, among those with a HubSpot contact.</summary>
    public const double HubSpotUnsubscribeShare = 0.05;

    /// <summary>
    /// Channels with the chance a journey touches them, their true incremental effect, how late in a journey they tend
    /// to come (affiliate cashback and remarketing sit just before checkout, as in real click streams, which is what
    /// flatters them under last touch), and their campaigns.
    /// </summary>
    public static IReadOnlyList<DemoChannel> Channels { get; } =
    [
        new("paid_search", 0.35, 0.12, 0, "google", "cpc", ["brand_search", "generic_search"]),
        new("email", 0.30, 0.09, 1, "newsletter", "email", ["weekly_digest", "winback"]),
        new("paid_social", 0.28, 0.06, 0, "facebook", "paid_social", ["prospecting", "retargeting"]),
        new("organic_search", 0.25, 0.045, 0, "google", "organic", []),
        new("referral", 0.15, 0.03, 0, "partner-blog.example", "referral", []),
        new("affiliate", 0.12, 0.02, 3, "dealsite", "affiliate", ["cashback"]),
        new("display", 0.10, 0.005, 2, "google", "display", ["display_remarketing"]),
    ];

    /// <summary>The A/B test: variant B's relative lift on the base conversion of journeys that reach checkout.</summary>
    public const string Experiment = "checkout_button_color";
    /// <summary>True relative lift of variant B.</summary>
    public const double ExperimentLift = 0.15;

    /// <summary>
    /// The visitor-level A/B test of <see cref="DemoExperiment"/> (experiments/events.ndjson): variant B's relative lift on
    /// the chance a visitor redeems the coupon within 14 days of exposure, and so on revenue per visitor.
    /// </summary>
    public const string OfferExperiment = "coupon_offer";
    /// <summary>True relative lift of <see cref="OfferExperiment"/>'s variant B.</summary>
    public const double OfferLift = 0.15;
    /// <summary>Redemption propensities are <see cref="OfferScale"/> · Beta(<see cref="OfferBetaA"/>, <see cref="OfferBetaB"/>): mean 0.3 under A.</summary>
    public const double OfferScale = 0.8;
    /// <summary>Beta a of the redemption propensity.</summary>
    public const double OfferBetaA = 3;
    /// <summary>Beta b of the redemption propensity.</summary>
    public const double OfferBetaB = 5;
    /// <summary>Control's redemption rate within the window: E[q] = scale · a / (a + b).</summary>
    public const double OfferBaseConversion = OfferScale * OfferBetaA / (OfferBetaA + OfferBetaB);

    /// <summary>Conversion probability of a journey (noisy-OR of the touched channels; B lifts the base).</summary>
    public static double Conversion(bool[] touched, bool variantB)
    {
        var stay = 1 - BaseConversion * (variantB ? 1 + ExperimentLift : 1);
        for (var c = 0; c < touched.Length; c++)
            if (touched[c]) stay *= 1 - Channels[c].Effect;
        return 1 - stay;
    }

    /// <summary>
    /// The true credit of a converting journey: the Shapley value of the noisy-OR conversion probability over the
    /// touched channels (v(S) = Conversion(S) − Conversion(∅)), as shares of the journey's one conversion.
    /// </summary>
    public static IReadOnlyDictionary<int, double> Credit(bool[] touched, bool variantB)
    {
        var players = Enumerable.Range(0, touched.Length).Where(c => touched[c]).ToArray();
        var n = players.Length;
        var credit = new Dictionary<int, double>();
        if (n == 0) return credit;
        double V(int mask)
        {
            var set = new bool[touched.Length];
            for (var i = 0; i < n; i++) if ((mask & (1 << i)) != 0) set[players[i]] = true;
            return Conversion(set, variantB);
        }
        var total = V((1 << n) - 1) - V(0);
        for (var i = 0; i < n; i++)
        {
            var phi = 0.0;
            for (var mask = 0; mask < 1 << n; mask++)
            {
                if ((mask & (1 << i)) != 0) continue;
                var k = int.PopCount(mask);
                phi += Factorial(k) * Factorial(n - k - 1) / Factorial(n) * (V(mask | (1 << i)) - V(mask));
            }
            credit[players[i]] = phi / total;
        }
        return credit;
    }

    /// <summary>
    /// The counterfactual truth of a converting journey, with no Shapley value in it: for each touched channel c, the
    /// chance the conversion would not have happened without c's touches, (P(S) − P(S ∖ c)) / P(S) under the noisy-OR.
    /// That is the chance c's cause fired and no other did, so it is the expected share of such conversions lost when c
    /// is removed. The values need not sum to one: a conversion two channels would each have caused alone, or the base
    /// rate caused, is lost to neither.
    /// </summary>
    public static IReadOnlyDictionary<int, double> Incremental(bool[] touched, bool variantB)
    {
        var lost = new Dictionary<int, double>();
        var with = Conversion(touched, variantB);
        for (var c = 0; c < touched.Length; c++)
        {
            if (!touched[c]) continue;
            var without = (bool[])touched.Clone();
            without[c] = false;
            lost[c] = (with - Conversion(without, variantB)) / with;
        }
        return lost;
    }

    private static double Factorial(int k) => k <= 1 ? 1 : k * Factorial(k - 1);
}

/// <summary>A marketing channel in the demo store.</summary>
public sealed record DemoChannel(string Name, double Exposure, double Effect, int Lateness, string UtmSource, string UtmMedium, IReadOnlyList<string> Campaigns);
