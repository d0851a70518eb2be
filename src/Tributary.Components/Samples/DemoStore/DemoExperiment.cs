using MathNet.Numerics.Distributions;

namespace Tributary.Components.Samples.DemoStore;

/// <summary>
/// The demo's visitor-level A/B test, written as the experimentation platform's Segment-format export
/// (<c>experiments/events.ndjson</c>) from its own seeded stream, so the store's other files do not change with it.
/// Each customer is exposed once in the four weeks before two weeks ahead of the cutoff, to variant A or B at random.
/// A visitor's redemption propensity is q ~ <see cref="DemoTruth.OfferScale"/> · Beta(a, b); in the 14 days after
/// exposure they redeem (one Coupon Redeemed with a Gamma value) with probability q under A and q·(1 + lift) under B,
/// so conversion and revenue per visitor both rise by exactly <see cref="DemoTruth.OfferLift"/>. In the 28 days before
/// exposure they redeem Poisson(3q) times (the CUPED covariate); Coupon Viewed events (1 + Poisson(2) after, Poisson(2)
/// before) do not depend on the variant.
/// </summary>
internal static class DemoExperiment
{
    public const int WindowDays = 14;
    public const int PreDays = 28;

    /// <summary>Writes the export; returns the units per variant.</summary>
    public static (int A, int B) Write(string folder, DemoStoreOptions options, Func<int, (string AnonymousId, string UserId)> visitor)
    {
        var random = new Random(unchecked(options.Seed * 7919 + 18));
        using var events = new SegmentStream(Path.Combine(folder, "experiments", "events.ndjson"), random, mess: false);
        var cutoff = options.Cutoff.ToDateTime(TimeOnly.MinValue);
        var first = options.FirstDay.ToDateTime(TimeOnly.MinValue);
        var start = cutoff.AddDays(-(WindowDays + 28));
        if (start < first) start = first;
        var span = Math.Max(0.5, (cutoff.AddDays(-WindowDays) - start).TotalDays);
        int a = 0, b = 0;
        for (var id = 1; id <= options.Customers; id++)
        {
            var (anonymous, user) = visitor(id);
            var context = new SegmentStream.Context(anonymous, user, $"198.18.{id % 250}.{id / 250 % 250 + 1}", "Mozilla/5.0", "https://shop.example.com/cart", null, null, null);
            var variantB = random.NextDouble() < 0.5;
            if (variantB) b++; else a++;
            var q = DemoTruth.OfferScale * Beta.Sample(random, DemoTruth.OfferBetaA, DemoTruth.OfferBetaB);
            var exposed = start.AddDays(random.NextDouble() * span);
            var pre = Poisson.Sample(random, 3 * q);
            for (var k = 0; k < pre; k++) Redeem(events, random, context, exposed.AddDays(-PreDays * random.NextDouble()));
            var preViews = Poisson.Sample(random, 2);
            for (var k = 0; k < preViews; k++) events.Write("track", "Coupon Viewed", exposed.AddDays(-PreDays * random.NextDouble()), context);
            events.Write("track", "Experiment Viewed", exposed, context,
                w => { w.WriteString("experiment_name", DemoTruth.OfferExperiment); w.WriteString("variation_name", variantB ? "B" : "A"); });
            var views = 1 + Poisson.Sample(random, 2);
            for (var k = 0; k < views; k++) events.Write("track", "Coupon Viewed", exposed.AddDays(WindowDays * random.NextDouble()), context);
            if (random.NextDouble() < q * (variantB ? 1 + DemoTruth.OfferLift : 1))
                Redeem(events, random, context, exposed.AddDays(WindowDays * random.NextDouble()));
        }
        return (a, b);
    }

    private static void Redeem(SegmentStream events, Random random, SegmentStream.Context context, DateTime at)
    {
        var value = Math.Round(Gamma.Sample(random, 4, 0.1), 2);
        events.Write("track", "Coupon Redeemed", at, context, w => { w.WriteNumber("revenue", value); w.WriteString("currency", "USD"); });
    }
}
