using System.Globalization;
using System.Text.Json;

namespace Tributary.Components.Samples.DemoStore;

/// <summary>
/// The demo's randomized past email campaign, for uplift modelling. It was sent <see cref="DaysBeforeCutoff"/> days
/// before the cutoff to every customer who had ordered by then, half of them at random (the rest are the control group).
/// Its true effect differs by customer: <b>do-not-disturb</b> customers (purchase rate at least <see cref="DoNotDisturbRate"/>
/// a day, frequent buyers who dislike promotions) who are contacted cancel every order they would have placed in the
/// <see cref="WindowDays"/> days after the send with probability <see cref="AnnoyedShare"/>; <b>persuadable</b> customers
/// (bargain hunters: spend scale at least <see cref="PersuadableSpendScale"/>, so small baskets) place an extra order in
/// the window with probability <see cref="PersuadableLift"/> when contacted and still active; everyone else is unmoved.
/// The true effect on P(an order in the window) is then −<see cref="AnnoyedShare"/>·b or <see cref="PersuadableLift"/>·(1 − b),
/// with b = 1 − e^(−30λ) the chance of a natural order in the window of an active customer of rate λ (0 once they dropped
/// out). Every draw comes from a stream per person apart from the store's own, and the extra orders take their own order
/// numbers (<c>#C</c> + person id), so the store's other rows are those of a store without the campaign, except that a
/// contacted do-not-disturb customer's orders in the window are written as voided.
/// </summary>
internal sealed class DemoCampaign(DemoStoreOptions options, string folder, string truthFolder) : IDisposable
{
    public const string Name = "spring_winback";
    public const int DaysBeforeCutoff = 90;
    public const int WindowDays = 30;
    public const double TreatedShare = 0.5;
    public const double DoNotDisturbRate = 0.03;
    public const double AnnoyedShare = 0.7;
    public const double PersuadableSpendScale = 0.12;
    public const double PersuadableLift = 0.35;

    private readonly CsvFile _sends = new(Path.Combine(folder, "campaigns", "sends.csv"), "email", "campaign", "arm", "sent_at");
    private readonly CsvFile _truth = new(Path.Combine(truthFolder, "campaign.csv"),
        "person_id", "email", "arm", "segment", "active_at_send", "true_effect", "converted_in_window", "active_at_cutoff", "true_effect_at_cutoff");

    /// <summary>The send time (10:00 UTC on the send day).</summary>
    public DateTime SentAt => options.Cutoff.ToDateTime(new TimeOnly(10, 0)).AddDays(-DaysBeforeCutoff);

    /// <summary>What the campaign does to one customer.</summary>
    /// <param name="Treated">Contacted.</param>
    /// <param name="Annoyed">Cancels the orders in the window.</param>
    /// <param name="ExtraOrderAt">When the campaign's extra order is placed, if it is.</param>
    /// <param name="WindowEnd">The end of the window after the send.</param>
    public sealed record Decision(bool Treated, bool Annoyed, DateTime? ExtraOrderAt, DateTime WindowEnd);

    /// <summary>The segment of a customer by their latent traits.</summary>
    public static string Segment(DemoPerson person) =>
        person.Rate >= DoNotDisturbRate ? "do_not_disturb" : person.SpendScale >= PersuadableSpendScale ? "persuadable" : "unmoved";

    /// <summary>The true effect on P(an order in the window) of a contact at a moment when the customer is (or is not) active.</summary>
    public static double TrueEffect(DemoPerson person, bool active)
    {
        if (!active) return 0;
        var natural = 1 - Math.Exp(-WindowDays * person.Rate);
        return Segment(person) switch { "do_not_disturb" => -AnnoyedShare * natural, "persuadable" => PersuadableLift * (1 - natural), _ => 0 };
    }

    /// <summary>
    /// Decides and records one customer's part; null when they had not ordered by the send. <paramref name="orderTimes"/>
    /// are the natural order times before the cutoff, <paramref name="droppedOut"/> the dropout time if any.
    /// </summary>
    public Decision? Decide(DemoPerson person, IReadOnlyList<DateTime> orderTimes, DateTime? droppedOut)
    {
        if (orderTimes.Count == 0 || orderTimes[0] >= SentAt) return null;
        var random = DemoStreams.ForPerson(options.Seed, person.Id, DemoStreams.Campaign);
        var treated = random.NextDouble() < TreatedShare;
        var end = SentAt.AddDays(WindowDays);
        var cutoff = options.Cutoff.ToDateTime(TimeOnly.MinValue);
        var activeAtSend = droppedOut is not { } d || d > SentAt;
        var activeAtCutoff = droppedOut is not { } e || e > cutoff;
        var segment = Segment(person);
        var annoyed = random.NextDouble() < AnnoyedShare && treated && activeAtSend && segment == "do_not_disturb";
        var extraDraw = random.NextDouble();
        var extraAt = SentAt.AddDays(WindowDays * random.NextDouble());
        DateTime? extra = treated && activeAtSend && segment == "persuadable" && extraDraw < PersuadableLift ? extraAt : null;
        var natural = orderTimes.Any(t => t >= SentAt && t < end);
        var converted = extra is not null || (natural && !annoyed);
        _sends.Row(person.Email, Name, treated ? "treatment" : "control", SentAt.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture));
        _truth.Row(person.Id, person.Email, treated ? "treatment" : "control", segment, activeAtSend, G(TrueEffect(person, activeAtSend)), converted,
            activeAtCutoff, G(TrueEffect(person, activeAtCutoff)));
        return new Decision(treated, annoyed, extra, end);
    }

    /// <summary>Writes the rule into <c>ground_truth/campaign_rule.json</c>.</summary>
    public static void WriteRule(string truthFolder, DemoStoreOptions options)
    {
        Directory.CreateDirectory(truthFolder);
        File.WriteAllText(Path.Combine(truthFolder, "campaign_rule.json"), JsonSerializer.Serialize(new
        {
            campaign = Name, sent_at = SegmentStream.Iso(options.Cutoff.ToDateTime(new TimeOnly(10, 0)).AddDays(-DaysBeforeCutoff)), window_days = WindowDays,
            treated_share = TreatedShare, eligible = "customers with an order before the send",
            do_not_disturb = $"purchase rate >= {G(DoNotDisturbRate)} a day; if contacted and active, cancels every order in the window with probability {G(AnnoyedShare)}",
            persuadable = $"spend scale >= {G(PersuadableSpendScale)} (small baskets) and not do-not-disturb; if contacted and active, an extra order in the window with probability {G(PersuadableLift)}",
            true_effect = "change in P(an order in the window): -annoyed_share * b for do-not-disturb, persuadable_lift * (1 - b) for persuadable, 0 otherwise; b = 1 - exp(-window_days * rate) while active, effect 0 after dropout",
            true_effect_at_cutoff = "the same effect for a contact at the cutoff, by whether the customer is still active then (campaign.csv)",
        }, Indented));
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    private static string G(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _sends.Dispose();
        _truth.Dispose();
    }
}
