using System.Globalization;
using System.Text.Json;
using MathNet.Numerics.Distributions;

namespace Tributary.Components.Samples.DemoStore;

/// <summary>
/// The demo's observable behaviour around dropout. Dropout times are BG/NBD's (a customer leaves right after a purchase
/// with probability p); what a customer does depends on that time: they browse the shop signed in at
/// <see cref="BaseSessionsPerDay"/> + <see cref="SessionsPerPurchaseRate"/> × their purchase rate, open a weekly newsletter
/// with their own probability (Beta(3, 3)), and in the <see cref="WarningDays"/> days before they drop out both fall to
/// <see cref="WarningFactor"/> of that, then to <see cref="GoneFactor"/> after it. Of those who drop out,
/// <see cref="TroubleShare"/> had support trouble in the 40 days before (a ticket left unsolved, or solved and rated bad);
/// <see cref="BackgroundTrouble"/> of those who stay have such a ticket too. Every draw comes from a stream per person
/// derived from the seed, so the other exports are byte for byte those of the pure BG/NBD store.
/// </summary>
internal sealed class DemoChurnBehaviour(DemoStoreOptions options, string truthFolder) : IDisposable
{
    public const double BaseSessionsPerDay = 0.05;
    public const double SessionsPerPurchaseRate = 4;
    public const int WarningDays = 60;
    public const double WarningFactor = 0.3;
    public const double GoneFactor = 0.05;
    public const double TroubleShare = 0.5;
    public const double BackgroundTrouble = 0.05;
    public const double UnsolvedShare = 0.6;

    private readonly CsvFile _truth = new(Path.Combine(truthFolder, "churn_behaviour.csv"),
        "person_id", "dropped_out_at", "sessions_per_day", "email_open_probability", "support_trouble_at");
    private int _ticketId = 9_000_000;
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    /// <summary>Writes the rule the behaviour follows into <c>ground_truth/churn_rule.json</c>.</summary>
    public static void WriteRule(string truthFolder, DemoStoreOptions options)
    {
        Directory.CreateDirectory(truthFolder);
        File.WriteAllText(Path.Combine(truthFolder, "churn_rule.json"), JsonSerializer.Serialize(new
        {
            behaviour = options.Behaviour,
            rule = options.Behaviour
                ? "Dropout follows BG/NBD; behaviour depends on the dropout time: sessions and newsletter opens fall to warning_factor of the customer's usual rate in the warning_days before dropout and to gone_factor after it; trouble_share of dropouts had a support ticket in the 40 days before it, left unsolved (unsolved_share) or solved and rated bad; background_trouble of other customers have such a ticket at a random time."
                : "Pure BG/NBD: no browsing, email or support behaviour is written; purchase timing is all there is to know.",
            base_sessions_per_day = BaseSessionsPerDay, sessions_per_purchase_rate = SessionsPerPurchaseRate, email_open_probability = "Beta(3, 3) per customer, weekly newsletter",
            warning_days = WarningDays, warning_factor = WarningFactor, gone_factor = GoneFactor, trouble_share = TroubleShare, unsolved_share = UnsolvedShare,
            background_trouble = BackgroundTrouble, churn_label = $"churned = no purchase within {DemoStoreOptions.LabelDays} days after the cutoff (customers.csv)",
        }, Indented));
    }

    /// <summary>Writes one buyer's sessions, newsletter opens and support trouble before the cutoff.</summary>
    public void Write(DemoPerson person, DateTime? droppedOut, SegmentStream events, CsvFile tickets, CsvFile identities, string email)
    {
        var random = DemoStreams.ForPerson(options.Seed, person.Id, DemoStreams.Behaviour);
        var start = person.FirstPurchaseUtc;
        var cutoff = options.Cutoff.ToDateTime(TimeOnly.MinValue);
        var sessionRate = BaseSessionsPerDay + SessionsPerPurchaseRate * person.Rate;
        var openProbability = Beta.Sample(random, 3, 3);
        double Factor(DateTime t) => droppedOut is not { } d ? 1 : t >= d ? GoneFactor : t >= d.AddDays(-WarningDays) ? WarningFactor : 1;
        var messages = 0;
        string Id() => $"msg-b{person.Id:x7}{++messages:x4}";
        var device = person.Devices[0];
        var agent = $"Mozilla/5.0 (Demo; behaviour) Safari/605.1.15";
        var ip = $"203.0.{person.Id % 250}.{(person.Id / 250) % 250 + 1}";

        // Sessions: a Poisson process thinned by the factor; each one a few product pages, signed in, no campaign.
        for (var t = start.AddDays(Exponential.Sample(random, sessionRate)); t < cutoff; t = t.AddDays(Exponential.Sample(random, sessionRate)))
        {
            if (random.NextDouble() >= Factor(t)) continue;
            var pages = 1 + random.Next(3);
            for (var k = 0; k < pages; k++)
            {
                var url = $"https://shop.example.com/products/sku-{(person.PreferredGroup + 4 * random.Next(10)) % 40:000}";
                events.Write("page", "Product", t.AddMinutes(2 * k), new(device, person.UserId, ip, agent, url, null, null, null), random: random, messageId: Id());
            }
        }
        // The weekly newsletter from the week after the first order.
        for (var t = start.Date.AddDays(7).AddHours(9 + random.Next(8)); t < cutoff; t = t.AddDays(7))
            if (random.NextDouble() < openProbability * Factor(t))
                events.Write("track", "Email Opened", t.AddMinutes(random.Next(600)), new(device, person.UserId, ip, agent, null, null, null, null),
                    w => { w.WriteString("email_id", $"em_weekly_digest_{t:yyyyMMdd}"); w.WriteString("campaign", "weekly_digest"); }, random: random, messageId: Id());
        // Support trouble: before dropout for some who leave, at a random time for a few who stay.
        DateTime? trouble = droppedOut is { } dropped
            ? random.NextDouble() < TroubleShare ? dropped.AddDays(-3 - 37 * random.NextDouble()) : null
            : random.NextDouble() < BackgroundTrouble ? start.AddDays(random.NextDouble() * Math.Max(1, (cutoff - start).TotalDays)) : null;
        if (trouble is { } created && created >= start && created < cutoff)
        {
            var solved = random.NextDouble() >= UnsolvedShare ? created.AddDays(2 + 8 * random.NextDouble()) : (DateTime?)null;
            if (solved >= cutoff) solved = null;
            tickets.Row(++_ticketId, $"{person.FirstName} {person.LastName}", email, "Still waiting for a replacement", solved is null ? "open" : "solved", "normal",
                Utc(created), Utc(solved ?? created.AddHours(2)), solved is null ? "" : Utc(solved.Value), "order", "email", solved is null ? "" : "bad");
            identities.Row(person.Id, "zendesk", "email", email);
        }
        else trouble = null;
        _truth.Row(person.Id, droppedOut is { } o ? SegmentStream.Iso(o) : "", sessionRate.ToString("G6", CultureInfo.InvariantCulture),
            openProbability.ToString("G6", CultureInfo.InvariantCulture), trouble is { } x ? SegmentStream.Iso(x) : "");
    }

    private static string Utc(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    public void Dispose() => _truth.Dispose();
}
