using System.Globalization;
using System.Text.Json;
using MathNet.Numerics.Distributions;

namespace Tributary.Components.Samples.DemoStore;

/// <summary>
/// Writes an online store's exports as the platforms lay them out (Shopify, Segment, Google Ads, Meta Ads, HubSpot,
/// Zendesk, Stripe), the same people across all of them, and <c>ground_truth/</c> with every latent fact the
/// data came from. Deterministic for a seed. See <see cref="DemoTruth"/> for the stated parameters.
/// </summary>
public sealed class DemoStoreGenerator
{
    private static readonly string[] FirstNames = ["Anna", "Ben", "Chloe", "David", "Emma", "Felix", "Grace", "Hugo", "Ida", "Jonas", "Kira", "Liam", "Mia", "Noah", "Olivia", "Paul", "Quinn", "Rosa", "Sam", "Tara"];
    private static readonly string[] LastNames = ["Smith", "Müller", "Martin", "Garcia", "Jansen", "Brown", "Schmidt", "Dubois", "López", "de Vries", "Taylor", "Fischer", "Bernard", "Wilson", "Weber"];
    private static readonly string[] Domains = ["example.com", "mail.example.org", "inbox.example.net"];
    // National numbers have the length of the country's own (France, the Netherlands and Spain 9 digits, the others 10), so
    // phone normalization, which refuses a length no number of that country has, keeps every demo phone.
    private static readonly (string Country, string Currency, double Fx, string Calling, int Offset, int NationalDigits)[] Countries =
        [("US", "USD", 1.0, "1", -5, 10), ("US", "USD", 1.0, "1", -8, 10), ("GB", "GBP", 0.79, "44", 0, 10), ("DE", "EUR", 0.92, "49", 1, 10),
         ("FR", "EUR", 0.92, "33", 1, 9), ("NL", "EUR", 0.92, "31", 1, 9), ("ES", "EUR", 0.92, "34", 1, 9)];
    private static readonly string[] Groups = ["coffee", "tea", "kitchen", "books"];
    private static readonly string[] Agents =
    [
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0 Safari/537.36",
        "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15",
    ];

    private readonly DemoStoreOptions _o;
    private readonly Random _random;
    private readonly (string Sku, string Name, int Group, double Price)[] _products;
    private readonly Dictionary<(string Campaign, DateOnly Day), (int Clicks, int Conversions)> _adClicks = [];
    private readonly double[] _trueCredit = new double[DemoTruth.Channels.Count];
    private readonly double[] _incremental = new double[DemoTruth.Channels.Count];
    private int _orderNumber = 1000;
    private long _charge;
    // Billing country and IP of charges draw from their own stream, so every other file and ground truth stays as without them.
    private readonly Random _paymentContext;

    private DemoStoreGenerator(DemoStoreOptions options)
    {
        _o = options;
        _random = new Random(options.Seed);
        _paymentContext = new Random(unchecked(options.Seed * 7919 + 20));
        _products = Enumerable.Range(0, 40).Select(i => ($"SKU-{Groups[i % 4].ToUpperInvariant()}-{i:000}", $"{Titles[i % Titles.Length]} {Groups[i % 4]}", i % 4,
            Math.Round(6 + 4 * (i % 9) + (i % 4) * 3.5, 2))).ToArray();
    }

    private static readonly string[] Titles = ["Classic", "Organic", "Deluxe", "Everyday", "Limited", "Travel", "Family", "Starter"];

    /// <summary>What was written. <paramref name="Orders"/> counts every order in the Shopify export, the
    /// <paramref name="CampaignOrders"/> among them too (those have no Stripe charge and no Order Completed event).</summary>
    public sealed record Summary(int Customers, int Orders, int CampaignOrders, long Events, int Charges, TimeSpan Elapsed);

    /// <summary>Writes every file into <paramref name="folder"/>.</summary>
    public static Summary Write(string folder, DemoStoreOptions options)
    {
        options.Validate();
        var watch = System.Diagnostics.Stopwatch.StartNew();
        var g = new DemoStoreGenerator(options);
        var result = g.Run(folder);
        return result with { Elapsed = watch.Elapsed };
    }

    private Summary Run(string folder)
    {
        var truth = Path.Combine(folder, "ground_truth");
        using var orders = new CsvFile(Path.Combine(folder, "shopify", "orders_export.csv"),
            "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total",
            "Discount Code", "Discount Amount", "Created at", "Lineitem quantity", "Lineitem name", "Lineitem price", "Lineitem sku", "Billing Name", "Billing Phone",
            "Billing Country", "Cancelled at", "Payment Method", "Refunded Amount", "Id", "Source", "Phone");
        using var charges = new CsvFile(Path.Combine(folder, "stripe", "charges.csv"),
            "id", "Created date (UTC)", "Amount", "Amount Refunded", "Currency", "Captured", "Status", "Customer ID", "Customer Email", "Card Fingerprint",
            "Card Brand", "Card Last4", "Card Issue Country", "Decline Reason", "Description", "order_id (metadata)", "Card Address Country", "ip_address (metadata)",
            "Disputed Amount", "Dispute Status", "Dispute Reason", "Dispute Date (UTC)");
        using var contacts = new CsvFile(Path.Combine(folder, "hubspot", "contacts.csv"),
            "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Lifecycle Stage", "Create Date", "Last Activity Date", "Country/Region", "Original Source",
            "Unsubscribed from all email", "Last Modified Date");
        using var tickets = new CsvFile(Path.Combine(folder, "zendesk", "tickets.csv"),
            "Id", "Requester", "Requester email", "Subject", "Status", "Priority", "Created at", "Updated at", "Solved at", "Tags", "Via", "Satisfaction");
        using var customersTruth = new CsvFile(Path.Combine(truth, "customers.csv"),
            "person_id", "email", "phone", "first_purchase_at", "purchase_rate_per_day", "dropout_probability", "spend_scale", "preferred_group", "variant",
            "acquisition_channel", "orders_before_cutoff", "alive_at_cutoff", "purchases_next_90d", "churned");
        using var identities = new CsvFile(Path.Combine(truth, "identities.csv"), "person_id", "source", "identifier_type", "identifier_value");
        // Who may be marketed to: Shopify's Accepts Marketing on every order, HubSpot's unsubscribe (dated the cutoff, after every order).
        using var consentTruth = new CsvFile(Path.Combine(truth, "consent.csv"), "person_id", "email", "accepts_marketing", "hubspot_unsubscribed", "marketing_consent");
        using var fraud = new CsvFile(Path.Combine(truth, "fraud_labels.csv"), "charge_id", "label");
        using var events = new SegmentStream(Path.Combine(folder, "segment", "events.ndjson"), _random, _o.Mess);
        // Behaviour draws from its own stream per person, so switching it on or off leaves every other file's rows as they were.
        var behaviour = _o.Behaviour ? new DemoChurnBehaviour(_o, truth) : null;
        DemoChurnBehaviour.WriteRule(truth, _o);
        // The randomized past campaign draws from its own stream per person too; its extra orders take their own numbers.
        using var campaign = new DemoCampaign(_o, folder, truth);
        DemoCampaign.WriteRule(truth, _o);

        var orderCount = 0;
        var campaignOrders = 0;
        var ticketId = 5000;
        var kiosk = "kiosk-store-berlin-01";
        string? familyTablet = null;
        for (var id = 1; id <= _o.Customers; id++)
        {
            var person = NewPerson(id);
            var consent = DemoStreams.ForPerson(_o.Seed, id, DemoStreams.Consent);
            person.AcceptsMarketing = consent.NextDouble() >= DemoTruth.ShopifyOptOutShare;
            var unsubscribes = consent.NextDouble() < DemoTruth.HubSpotUnsubscribeShare;
            if (_o.Mess && id % 3 == 1) familyTablet = $"tablet-family-{id:x6}";
            if (_o.Mess && familyTablet is not null && _random.NextDouble() < 0.15) person.Devices.Add(familyTablet);
            if (_o.Mess && _random.NextDouble() < 0.01) person.Devices.Add(kiosk);
            foreach (var device in person.Devices) identities.Row(id, "segment", "anonymous_id", device);
            identities.Row(id, "segment", "user_id", person.UserId);

            // BG/NBD purchase times (days after the first purchase), through the label window.
            var horizon = (_o.Cutoff.ToDateTime(TimeOnly.MinValue) - person.FirstPurchaseUtc).TotalDays;
            var times = new List<double> { 0 };
            var alive = true;
            var clock = 0.0;
            double? dropout = null;
            while (true)
            {
                clock += Exponential.Sample(_random, person.Rate);
                if (clock > horizon + DemoStoreOptions.LabelDays) break; // 'clock' is then the next purchase, past the label window

                times.Add(clock);
                if (_random.NextDouble() < person.Dropout)
                {
                    alive = clock > horizon;
                    dropout = clock;
                    break;
                }
            }
            var before = times.Where(t => t <= horizon).ToList();
            var after = times.Count(t => t > horizon);
            var sent = campaign.Decide(person, before.Select(t => person.FirstPurchaseUtc.AddDays(t)).ToList(), dropout is { } gone ? person.FirstPurchaseUtc.AddDays(gone) : null);
            var stripeEmail = Messy(person.Email);
            var loggedIn = false;
            var previous = _o.FirstDay.ToDateTime(TimeOnly.MinValue);
            foreach (var (t, n) in before.Select((t, n) => (t, n)))
            {
                var at = person.FirstPurchaseUtc.AddDays(t);
                var checkout = Journeys(events, person, at, previous, loggedIn, n == 0);
                previous = at;
                loggedIn = true;
                var (name, total) = Order(orders, person, at, voided: sent is { Annoyed: true } && at >= campaign.SentAt && at < sent.WindowEnd);
                events.Write("track", "Order Completed", checkout.At, checkout.Context, w =>
                {
                    w.WriteString("order_id", name);
                    w.WriteNumber("revenue", total);
                    w.WriteString("currency", person.Currency);
                });
                Charge(charges, fraud, person, at, name, total, stripeEmail, identities);
                orderCount++;
            }
            if (sent?.ExtraOrderAt is { } extra)
            {
                CampaignOrder(orders, person, extra);
                campaignOrders++;
            }
            // The first purchase after the cutoff (or past the label window, if they stayed) was browsed for before the cutoff too.
            // (A purchase years away has no journeys that reach back to the cutoff; the bound also keeps the date in range.)
            var next = after > 0 ? times.First(t => t > horizon) : dropout is null ? clock : (double?)null;
            if (next is { } nextAt && nextAt < horizon + 3650) LeadUp(events, person, person.FirstPurchaseUtc.AddDays(nextAt), previous);
            customersTruth.Row(id, person.Email, person.PhoneE164, SegmentStream.Iso(person.FirstPurchaseUtc), G(person.Rate), G(person.Dropout), G(person.SpendScale),
                Groups[person.PreferredGroup], person.VariantB ? "B" : "A", person.AcquisitionChannel, before.Count, alive, after, after == 0);
            identities.Row(id, "shopify", "email", person.Email);
            if (_random.NextDouble() < 0.7)
            {
                var email = Messy(person.Email);
                var phone = _random.NextDouble() < (_o.Mess ? 0.8 : 1) ? MessyPhone(person) : "";
                contacts.Row(person.HubSpotId, person.FirstName, person.LastName, email, phone, before.Count > 1 ? "customer" : "lead",
                    Local(person, person.FirstPurchaseUtc.AddDays(-_random.Next(0, 30))), Local(person, person.FirstPurchaseUtc.AddDays(before[^1])),
                    person.Country, person.AcquisitionChannel.ToUpperInvariant(), unsubscribes ? "true" : "false", Local(person, _o.Cutoff.ToDateTime(TimeOnly.MinValue)));
                person.HubSpotUnsubscribed = unsubscribes;
                identities.Row(id, "hubspot", "hubspot_id", person.HubSpotId);
                identities.Row(id, "hubspot", "email", email);
                if (phone.Length > 0) identities.Row(id, "hubspot", "phone", phone);
            }
            consentTruth.Row(id, person.Email, person.AcceptsMarketing ? "yes" : "no", person.HubSpotUnsubscribed ? "true" : "false",
                person.AcceptsMarketing && !person.HubSpotUnsubscribed ? "true" : "false");
            if (behaviour is not null && before.Count > 0)
                behaviour.Write(person, dropout is { } at ? person.FirstPurchaseUtc.AddDays(at) : null, events, tickets, identities, person.Email);
            var ticketCount = Poisson(0.15 * before.Count);
            for (var k = 0; k < ticketCount; k++)
            {
                var created = person.FirstPurchaseUtc.AddDays(before[_random.Next(before.Count)] + 1 + _random.NextDouble() * 5);
                if (created >= _o.Cutoff.ToDateTime(TimeOnly.MinValue)) continue;
                var open = _random.NextDouble() < 0.2;
                var email = Messy(person.Email);
                tickets.Row(++ticketId, $"{person.FirstName} {person.LastName}", email, TicketSubjects[_random.Next(TicketSubjects.Length)],
                    open ? "open" : "solved", _random.NextDouble() < 0.1 ? "urgent" : "normal", Utc(created), Utc(created.AddHours(6)),
                    open ? "" : Utc(created.AddHours(20)), "order", _random.NextDouble() < 0.6 ? "email" : "web", open ? "" : (_random.NextDouble() < 0.8 ? "good" : "bad"));
                identities.Row(id, "zendesk", "email", email);
            }
        }
        behaviour?.Dispose();
        Prospects(events, contacts, identities, truth);
        Bots(events);
        FraudBursts(charges, fraud);
        AdReports(folder);
        Products(folder);
        GroundTruthTables(truth);
        // Its own seeded stream and file: the experiment export changes nothing above.
        DemoExperiment.Write(folder, _o, id => ($"anon-{Hash(id * 31, 12)}", $"u_{id:x8}"));
        return new Summary(_o.Customers, orderCount + campaignOrders, campaignOrders, events.Count, (int)_charge, TimeSpan.Zero);
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
    private static readonly string[] TicketSubjects = ["Where is my order?", "Refund request", "Damaged item", "Change shipping address", "Question about a product"];

    private DemoPerson NewPerson(int id)
    {
        var country = Countries[_random.Next(Countries.Length)];
        var first = FirstNames[_random.Next(FirstNames.Length)];
        var last = LastNames[_random.Next(LastNames.Length)];
        var local = $"{Ascii(first)}.{Ascii(last)}{id}".ToLowerInvariant();
        var days = Math.Max(1, _o.Days - 1);
        var firstPurchase = _o.FirstDay.ToDateTime(TimeOnly.MinValue).AddDays(_random.NextDouble() * days);
        var subscriber = 100_000_000 + _random.Next(0, 899_999_999);
        return new DemoPerson
        {
            Id = id, FirstName = first, LastName = last, Email = $"{local}@{Domains[id % Domains.Length]}",
            PhoneE164 = $"+{country.Calling}{$"{subscriber}{id % 10}"[..country.NationalDigits]}", Country = country.Country, Currency = country.Currency, UtcOffset = TimeSpan.FromHours(country.Offset),
            FirstPurchaseUtc = firstPurchase,
            Rate = Gamma.Sample(_random, DemoTruth.R, DemoTruth.Alpha), Dropout = Beta.Sample(_random, DemoTruth.A, DemoTruth.B),
            SpendScale = Gamma.Sample(_random, DemoTruth.Q, DemoTruth.Gamma), PreferredGroup = _random.Next(Groups.Length),
            UserId = $"u_{id:x8}", StripeCustomerId = $"cus_{Hash(id, 14)}", HubSpotId = 90_000 + id * 7L,
            Devices = [$"anon-{Hash(id * 31, 12)}"], VariantB = (id * 2654435761u) % 2 == 1,
        };
    }

    // Journeys sampled as DemoTruth states them (touches by exposure, conversion by the noisy-OR) until one converts
    // at 'at'; the failed ones come before it, each ending 2–6 days before the next, back to 'notBefore'. A journey
    // lasts under 30 hours, so a day without touches separates journeys. Returns the checkout session.
    private (DateTime At, SegmentStream.Context Context) Journeys(SegmentStream events, DemoPerson person, DateTime at, DateTime notBefore, bool loggedIn, bool firstOrder)
    {
        var failed = new List<bool[]>();
        bool[] touched;
        while (true)
        {
            touched = DemoTruth.Channels.Select(c => _random.NextDouble() < c.Exposure).ToArray();
            if (_random.NextDouble() < DemoTruth.Conversion(touched, person.VariantB)) break;
            failed.Add(touched);
        }
        var end = at;
        foreach (var t in failed)
        {
            end = end.AddDays(-2 - 4 * _random.NextDouble());
            if (end.AddDays(-1.5) < notBefore) break;
            Journey(events, person, end, t, converts: false, loggedIn);
        }
        foreach (var (channel, share) in DemoTruth.Credit(touched, person.VariantB)) _trueCredit[channel] += share;
        foreach (var (channel, lost) in DemoTruth.Incremental(touched, person.VariantB)) _incremental[channel] += lost;
        var checkout = Journey(events, person, at, touched, converts: true, loggedIn, _random, DateTime.MaxValue, null, out var lastTouch)!.Value;
        if (firstOrder)
        {
            person.AcquisitionChannel = lastTouch < 0 ? "direct" : DemoTruth.Channels[lastTouch].Name;
            person.AcquisitionCampaign = lastTouch < 0 || DemoTruth.Channels[lastTouch].Campaigns.Count == 0 ? "" : DemoTruth.Channels[lastTouch].Campaigns[person.Id % DemoTruth.Channels[lastTouch].Campaigns.Count];
        }
        return checkout;
    }

    // Rejection sampling from P(touches | not converted) under the noisy-OR model of DemoTruth.
    private bool[] NonConvertingTouches(bool variantB)
    {
        var bound = 1 - DemoTruth.Conversion(new bool[DemoTruth.Channels.Count], variantB);
        while (true)
        {
            var t = DemoTruth.Channels.Select(c => _random.NextDouble() < c.Exposure).ToArray();
            if (_random.NextDouble() * bound < 1 - DemoTruth.Conversion(t, variantB)) return t;
        }
    }

    private (DateTime At, SegmentStream.Context Context)? Journey(SegmentStream events, DemoPerson person, DateTime end, bool[] touched, bool converts, bool loggedIn) =>
        Journey(events, person, end, touched, converts, loggedIn, _random, DateTime.MaxValue, null, out _);

    // The journeys that lead to the first purchase after the cutoff, drawn as Journeys draws them (failed journeys 2–6 days
    // apart back to the previous purchase), written only as far as they fall before the cutoff. Without them the browsing
    // at the cutoff would foreshadow no coming order while at any earlier date it does. A stream per person keeps the
    // store's own draws, and so every other row, as they were.
    private void LeadUp(SegmentStream events, DemoPerson person, DateTime at, DateTime notBefore)
    {
        var cutoff = _o.Cutoff.ToDateTime(TimeOnly.MinValue);
        var random = DemoStreams.ForPerson(_o.Seed, person.Id, DemoStreams.LeadUp);
        var failed = new List<bool[]>();
        while (true)
        {
            var touched = DemoTruth.Channels.Select(c => random.NextDouble() < c.Exposure).ToArray();
            if (random.NextDouble() < DemoTruth.Conversion(touched, person.VariantB)) break;
            failed.Add(touched);
        }
        var messages = 0;
        string Id() => $"msg-l{person.Id:x7}{++messages:x4}";
        var end = at;
        foreach (var t in failed)
        {
            end = end.AddDays(-2 - 4 * random.NextDouble());
            if (end.AddDays(-1.5) < notBefore) break;
            // A journey lasts under 30 hours: one ending a day and a half after the cutoff has nothing before it.
            if (end.AddDays(-1.5) < cutoff) Journey(events, person, end, t, converts: false, loggedIn: true, random, cutoff, Id, out _);
        }
    }

    // Touches in an order that puts late channels (affiliate, remarketing) near checkout; within a day. Draws from 'random'
    // and writes only events before 'until'; 'messageIds' names them when the draws are not the store's own stream.
    private (DateTime At, SegmentStream.Context Context)? Journey(SegmentStream events, DemoPerson person, DateTime end, bool[] touched, bool converts, bool loggedIn,
        Random random, DateTime until, Func<string>? messageIds, out int lastTouch)
    {
        void Write(string type, string name, DateTime at, SegmentStream.Context context, Action<Utf8JsonWriter>? properties)
        {
            if (at < until) events.Write(type, name, at, context, properties, random: random, messageId: messageIds?.Invoke());
        }
        var device = person.Devices[random.Next(person.Devices.Count)];
        var agent = Agents[person.Id % Agents.Length];
        var ip = $"203.0.{person.Id % 250}.{(person.Id / 250) % 250 + 1}";
        string? user = loggedIn ? person.UserId : null;
        var channels = Enumerable.Range(0, touched.Length).Where(c => touched[c])
            .Select(c => (c, key: DemoTruth.Channels[c].Lateness + 2 * random.NextDouble())).OrderBy(x => x.key).Select(x => x.c).ToList();
        lastTouch = channels.Count == 0 ? -1 : channels[^1];
        // Touch times laid back from an hour before the end, 35 minutes to 3.6 hours apart (separate sessions, all before it).
        var times = new DateTime[channels.Count];
        var back = end.AddHours(-1 - random.NextDouble());
        for (var k = channels.Count - 1; k >= 0; k--)
        {
            times[k] = back;
            back = back.AddHours(-0.6 - 3 * random.NextDouble());
        }
        for (var k = 0; k < channels.Count; k++)
        {
            var c = channels[k];
            var at = times[k];
            var channel = DemoTruth.Channels[c];
            var campaign = channel.Campaigns.Count == 0 ? null : channel.Campaigns[random.Next(channel.Campaigns.Count)];
            if (channel.Name == "email")
                Write("track", "Email Opened", at.AddMinutes(-5), new(device, person.UserId, ip, agent, null, null, null, null),
                    w => { w.WriteString("email_id", $"em_{campaign}_{at:yyyyMMdd}"); w.WriteString("campaign", campaign); });
            var referrer = channel.Name switch
            {
                "organic_search" => "https://www.google.com/",
                "referral" => "https://partner-blog.example/best-coffee-gear",
                "paid_social" => "https://l.facebook.com/",
                _ => null,
            };
            var url = $"https://shop.example.com/{(channel.Campaigns.Count > 0 ? "landing" : "")}?{(campaign is null ? "" : $"utm_source={channel.UtmSource}&utm_medium={channel.UtmMedium}&utm_campaign={campaign}")}{(channel.Name == "paid_search" ? $"&gclid=Cj0{Hash(person.Id + (int)at.Ticks, 10)}" : "")}";
            Write("page", "Landing", at, new(device, user, ip, agent, url, referrer, channel, campaign), null);
            if (at < until && campaign is not null && channel.Name is "paid_search" or "paid_social" or "display")
            {
                var key = (campaign, DateOnly.FromDateTime(at));
                var current = _adClicks.GetValueOrDefault(key);
                _adClicks[key] = (current.Clicks + 1, current.Conversions + (converts && c == channels.Where(x => DemoTruth.Channels[x].Campaigns.Count > 0).LastOrDefault() ? 1 : 0));
            }
        }
        var product = _products[ProductIndex(person, random)];
        var session = new SegmentStream.Context(device, user, ip, agent, $"https://shop.example.com/products/{product.Sku.ToLowerInvariant()}", null, null, null);
        var viewed = end.AddMinutes(-12);
        Write("track", "Product Viewed", viewed, session, w => { w.WriteString("product_id", product.Sku); w.WriteString("name", product.Name); w.WriteNumber("price", product.Price); });
        if (!converts && random.NextDouble() < 0.5) return null;
        Write("track", "Product Added", viewed.AddMinutes(2), session, w => { w.WriteString("product_id", product.Sku); w.WriteNumber("quantity", 1); });
        if (!converts && random.NextDouble() < 0.5) return null;
        Write("track", "Checkout Started", viewed.AddMinutes(5), session, w => w.WriteString("currency", person.Currency));
        Write("track", "Experiment Viewed", viewed.AddMinutes(5.1), session,
            w => { w.WriteString("experiment_name", DemoTruth.Experiment); w.WriteString("variation_name", person.VariantB ? "B" : "A"); });
        if (!converts) return null;
        if (user is null)
        {
            // Login at checkout: the anonymous device becomes this user.
            events.Write("identify", null, viewed.AddMinutes(6), session with { UserId = person.UserId }, traits: w =>
            {
                w.WriteString("email", _o.Mess && _random.NextDouble() < 0.3 ? Messy(person.Email) : person.Email);
                w.WriteString("first_name", person.FirstName);
                w.WriteString("last_name", person.LastName);
                if (_random.NextDouble() < 0.6) w.WriteString("phone", person.PhoneE164);
            });
            if (_random.NextDouble() < 0.1) events.Write("alias", null, viewed.AddMinutes(6.2), session with { UserId = person.UserId }, previousId: device);
        }
        return (viewed.AddMinutes(8), session with { UserId = person.UserId, Url = "https://shop.example.com/checkout/thank-you" });
    }

    private (string Name, double Total) Order(CsvFile orders, DemoPerson person, DateTime at, bool voided = false)
    {
        var name = $"#{++_orderNumber}";
        var fx = Countries.First(c => c.Currency == person.Currency).Fx;
        var value = Math.Round(Gamma.Sample(_random, DemoTruth.P, person.SpendScale / 1.0) is var v && double.IsFinite(v) ? v * fx : 10, 2);
        value = Math.Max(1, value);
        var items = Enumerable.Range(0, 1 + _random.Next(3)).Select(_ => _products[ProductIndex(person)]).ToList();
        var subtotal = Math.Round(items.Sum(i => i.Price) * fx, 2);
        var discount = Math.Round(Math.Max(0, subtotal - value), 2);
        var shipping = Math.Round(Math.Max(0, value - subtotal), 2);
        var roll = _random.NextDouble();
        var status = voided ? "voided" : roll < 0.04 ? "refunded" : roll < 0.06 ? "voided" : "paid";
        var cancelled = status == "voided" ? Local(person, at.AddHours(3)) : "";
        var email = _o.Mess && _random.NextDouble() < 0.3 ? Messy(person.Email) : person.Email;
        if (_o.Mess && _random.NextDouble() < 0.02) email = ""; // guest checkout by phone only
        var phone = _o.Mess ? MessyPhone(person) : person.PhoneE164;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (i == 0)
                orders.Row(name, email, status, status == "voided" ? "" : Local(person, at), status == "voided" ? "unfulfilled" : "fulfilled", person.AcceptsMarketing ? "yes" : "no", person.Currency,
                    subtotal, shipping, 0.0, value, discount > 0 ? "SAVE" : "", discount, Local(person, at), 1, item.Name, Math.Round(item.Price * fx, 2), item.Sku,
                    $"{person.FirstName} {person.LastName}", phone, person.Country, cancelled, "Stripe", status == "refunded" ? value : 0.0, 5_000_000_000L + _orderNumber, "web", phone);
            else
                // Shopify's own layout: the order's fields on its first row only.
                orders.Row(name, "", "", "", "", "", "", "", "", "", "", "", "", "", 1, item.Name, Math.Round(item.Price * fx, 2), item.Sku,
                    "", "", "", "", "", "", "", "", "");
        }
        return (name, value);
    }

    // The campaign's extra order: one item of the customer's preferred group at their mean basket, no draw from the store's stream.
    private void CampaignOrder(CsvFile orders, DemoPerson person, DateTime at)
    {
        var fx = Countries.First(c => c.Currency == person.Currency).Fx;
        var value = Math.Max(1, Math.Round(DemoTruth.P / person.SpendScale * fx, 2));
        var item = _products[person.PreferredGroup];
        var price = Math.Round(item.Price * fx, 2);
        orders.Row($"#C{person.Id}", person.Email, "paid", Local(person, at), "fulfilled", person.AcceptsMarketing ? "yes" : "no", person.Currency, price, Math.Round(Math.Max(0, value - price), 2), 0.0, value,
            value < price ? DemoCampaign.Name.ToUpperInvariant() : "", Math.Round(Math.Max(0, price - value), 2), Local(person, at), 1, item.Name, price, item.Sku,
            $"{person.FirstName} {person.LastName}", person.PhoneE164, person.Country, "", "Stripe", 0.0, 7_000_000_000L + person.Id, "email", person.PhoneE164);
    }

    private void Charge(CsvFile charges, CsvFile labels, DemoPerson person, DateTime at, string order, double total, string email, CsvFile identities)
    {
        var id = $"ch_{Hash((int)++_charge, 16)}";
        var status = _random.NextDouble() < 0.04 ? "Refunded" : "Paid";
        charges.Row(id, Utc(at.AddSeconds(20)), total, status == "Refunded" ? total : 0.0, person.Currency.ToLowerInvariant(), true, status,
            person.StripeCustomerId, email, $"fp_{Hash(person.Id * 7, 12)}", "visa", (1000 + person.Id % 9000).ToString(CultureInfo.InvariantCulture),
            person.Country, "", $"Shopify order {order}", order, BillingCountry(person), HomeIp(person), "", "", "", "");
        var roll = _random.NextDouble();
        if (roll < 0.003)
        {
            // Account takeover: the customer's account pays with a new card from another country for an unusually large amount.
            var takeover = $"ch_{Hash((int)++_charge, 16)}";
            charges.Row(takeover, Utc(at.AddDays(1 + _random.NextDouble() * 3)), Math.Round(total * (4 + _random.NextDouble() * 6), 2), 0.0, person.Currency.ToLowerInvariant(),
                true, "Paid", person.StripeCustomerId, email, $"fp_x{Hash(person.Id * 13, 11)}", "mastercard", "4242", person.Country == "NG" ? "RU" : "NG", "", "", "",
                person.Country, $"185.220.{_paymentContext.Next(1, 255)}.{_paymentContext.Next(1, 255)}", "", "", "", "");
            labels.Row(takeover, "account_takeover");
        }
        else if (roll < 0.005)
        {
            // Amount outlier: a charge twenty to fifty times the customer's typical order, with their own card.
            var outlier = $"ch_{Hash((int)++_charge, 16)}";
            charges.Row(outlier, Utc(at.AddHours(2)), Math.Round(total * (20 + _random.NextDouble() * 30), 2), 0.0, person.Currency.ToLowerInvariant(), true, "Paid",
                person.StripeCustomerId, email, $"fp_{Hash(person.Id * 7, 12)}", "visa", (1000 + person.Id % 9000).ToString(CultureInfo.InvariantCulture), person.Country, "", "", "",
                BillingCountry(person), HomeIp(person), "", "", "", "");
            labels.Row(outlier, "amount_outlier");
        }
        if (_chargedCustomers.Add(person.Id))
        {
            identities.Row(person.Id, "stripe", "stripe_customer_id", person.StripeCustomerId);
            identities.Row(person.Id, "stripe", "email", email);
        }
    }

    private readonly HashSet<int> _chargedCustomers = [];
    private static readonly string[] BillingCountries = ["US", "GB", "DE", "FR", "NL", "ES", "BR"];

    // The card's billing address: the customer's country, for one customer in sixteen (living abroad) another.
    private static string BillingCountry(DemoPerson person) =>
        Hash(person.Id * 17, 4)[0] == '0' ? BillingCountries[person.Id % (BillingCountries.Length - 1)] : person.Country;

    // The customer's usual IP, and now and then (mobile, travel) another one.
    private string HomeIp(DemoPerson person) => _paymentContext.NextDouble() < 0.1
        ? $"100.{64 + _paymentContext.Next(64)}.{_paymentContext.Next(256)}.{_paymentContext.Next(1, 255)}"
        : $"10.{person.Id / 65536 % 256}.{person.Id / 256 % 256}.{person.Id % 256}";

    // Card testing: a new customer runs many small charges in minutes across cards, mostly declined.
    private void FraudBursts(CsvFile charges, CsvFile labels)
    {
        var bursts = Math.Max(1, _o.Customers / 500);
        for (var b = 0; b < bursts; b++)
        {
            var at = _o.FirstDay.ToDateTime(TimeOnly.MinValue).AddDays(_random.NextDouble() * _o.Days);
            var customer = $"cus_f{Hash(b + 77, 13)}";
            var origin = (Billing: BillingCountries[_paymentContext.Next(BillingCountries.Length)], Address: $"45.134.{_paymentContext.Next(1, 255)}.{_paymentContext.Next(1, 255)}");
            for (var k = 0; k < 15 + _random.Next(20); k++)
            {
                var id = $"ch_{Hash((int)++_charge, 16)}";
                var declined = _random.NextDouble() < 0.8;
                charges.Row(id, Utc(at.AddSeconds(k * 20)), Math.Round(1 + _random.NextDouble() * 4, 2), 0.0, "usd", !declined, declined ? "Failed" : "Paid",
                    customer, $"buyer{b}@tempmail.example", $"fp_t{Hash(b * 100 + k, 10)}", "mastercard", (1000 + k).ToString(CultureInfo.InvariantCulture), "BR",
                    declined ? "card_declined" : "", "", "", origin.Billing, origin.Address, "", "", "", "");
                labels.Row(id, "card_testing");
            }
        }
    }

    // Visitors who never buy (half as many as customers): non-converting journeys spread over the period, some sign up
    // for the newsletter (an identify with their email) and become HubSpot leads. Their paths are what data-driven
    // attribution learns non-conversion from.
    private void Prospects(SegmentStream events, CsvFile contacts, CsvFile identities, string truth)
    {
        using var prospects = new CsvFile(Path.Combine(truth, "prospects.csv"), "person_id", "email", "journeys", "signed_up");
        var start = _o.FirstDay.ToDateTime(TimeOnly.MinValue);
        for (var k = 1; k <= _o.Customers / 2; k++)
        {
            var id = _o.Customers + k;
            var person = NewPerson(id);
            foreach (var device in person.Devices) identities.Row(id, "segment", "anonymous_id", device);
            var journeys = 1 + _random.Next(4);
            for (var j = 0; j < journeys; j++)
                Journey(events, person, start.AddDays(_random.NextDouble() * _o.Days), NonConvertingTouches(person.VariantB), converts: false, loggedIn: false);
            var signedUp = _random.NextDouble() < 0.3;
            if (signedUp)
            {
                var at = start.AddDays(_random.NextDouble() * _o.Days);
                var email = _o.Mess && _random.NextDouble() < 0.3 ? Messy(person.Email) : person.Email;
                events.Write("identify", null, at, new(person.Devices[0], null, "198.51.100.7", Agents[id % Agents.Length], "https://shop.example.com/newsletter", null, null, null),
                    traits: w => w.WriteString("email", email));
                identities.Row(id, "segment", "email", email);
                if (_random.NextDouble() < 0.6)
                {
                    var contactEmail = Messy(person.Email);
                    contacts.Row(person.HubSpotId, person.FirstName, person.LastName, contactEmail, "", "subscriber", Local(person, at), Local(person, at), person.Country, "NEWSLETTER", "false", Local(person, at));
                    identities.Row(id, "hubspot", "hubspot_id", person.HubSpotId);
                    identities.Row(id, "hubspot", "email", contactEmail);
                }
            }
            prospects.Row(id, person.Email, journeys, signedUp);
        }
    }

    private void Bots(SegmentStream events)
    {
        var bots = Math.Max(1, _o.Customers / 100);
        for (var b = 0; b < (_o.Mess ? bots : 0); b++)
        {
            var device = $"anon-bot-{Hash(b, 10)}";
            var at = _o.FirstDay.ToDateTime(TimeOnly.MinValue).AddDays(_random.NextDouble() * _o.Days);
            for (var k = 0; k < 30; k++)
                events.Write("page", "Product", at.AddSeconds(k * 2), new(device, null, "66.249.66.1", "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                    $"https://shop.example.com/products/{_products[k % _products.Length].Sku.ToLowerInvariant()}", null, null, null));
        }
    }

    private void AdReports(string folder)
    {
        using var google = new CsvFile(Path.Combine(folder, "google_ads", "campaign_report.csv"));
        google.Line("Campaign report");
        google.Line($"\"{_o.FirstDay:MMMM d, yyyy} - {_o.Cutoff.AddDays(-1):MMMM d, yyyy}\"");
        google.Row("Day", "Campaign", "Campaign ID", "Impr.", "Clicks", "Cost", "Conversions", "Currency code");
        using var meta = new CsvFile(Path.Combine(folder, "meta_ads", "insights.csv"),
            "Reporting starts", "Reporting ends", "Campaign name", "Campaign ID", "Amount spent (USD)", "Impressions", "Link clicks", "Results", "Result indicator");
        foreach (var ((campaign, day), (clicks, conversions)) in _adClicks.Where(p => p.Key.Day >= _o.FirstDay && p.Key.Day < _o.Cutoff)
            .OrderBy(p => p.Key.Day).ThenBy(p => p.Key.Campaign, StringComparer.Ordinal))
        {
            var channel = DemoTruth.Channels.First(c => c.Campaigns.Contains(campaign));
            var cpc = channel.Name switch { "paid_search" => 1.10, "paid_social" => 0.65, _ => 0.35 };
            var spend = Math.Round(clicks * cpc * (0.8 + 0.4 * _random.NextDouble()), 2);
            var impressions = clicks * (channel.Name == "display" ? 400 : 35) + _random.Next(0, 50);
            var campaignId = 20_000_000_000L + Math.Abs(campaign.GetHashCode(StringComparison.Ordinal) % 1_000_000);
            if (channel.Name == "paid_social")
                meta.Row(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), campaign, campaignId, spend, impressions, clicks, conversions, "actions:offsite_conversion.fb_pixel_purchase");
            else
                google.Row(day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), campaign, campaignId, impressions, clicks, spend, (double)conversions, "USD");
        }
    }

    private void Products(string folder)
    {
        using var products = new CsvFile(Path.Combine(folder, "shopify", "products_export.csv"),
            "Handle", "Title", "Body (HTML)", "Vendor", "Type", "Tags", "Published", "Variant SKU", "Variant Price", "Status");
        foreach (var p in _products)
            products.Row(p.Sku.ToLowerInvariant(), p.Name, $"<p>{p.Name}</p>", "Tributary Goods", Groups[p.Group], Groups[p.Group], true, p.Sku, p.Price, "active");
    }

    private void GroundTruthTables(string truth)
    {
        var credited = _trueCredit.Sum();
        var lost = _incremental.Sum();
        // The incremental columns come last, so readers of the first seven columns read the file as before.
        using (var channels = new CsvFile(Path.Combine(truth, "channels.csv"), "channel", "exposure", "incremental_effect", "lateness", "campaigns", "true_conversions", "true_share",
            "incremental_conversions", "incremental_share"))
            foreach (var (c, i) in DemoTruth.Channels.Select((c, i) => (c, i)))
                channels.Row(c.Name, G(c.Exposure), G(c.Effect), c.Lateness, string.Join("|", c.Campaigns), G(_trueCredit[i]), G(credited == 0 ? 0 : _trueCredit[i] / credited),
                    G(_incremental[i]), G(lost == 0 ? 0 : _incremental[i] / lost));
        using (var experiments = new CsvFile(Path.Combine(truth, "experiments.csv"), "experiment", "variant", "base_conversion", "true_relative_lift"))
        {
            experiments.Row(DemoTruth.Experiment, "A", G(DemoTruth.BaseConversion), G(0));
            experiments.Row(DemoTruth.Experiment, "B", G(DemoTruth.BaseConversion * (1 + DemoTruth.ExperimentLift)), G(DemoTruth.ExperimentLift));
            experiments.Row(DemoTruth.OfferExperiment, "A", G(DemoTruth.OfferBaseConversion), G(0));
            experiments.Row(DemoTruth.OfferExperiment, "B", G(DemoTruth.OfferBaseConversion * (1 + DemoTruth.OfferLift)), G(DemoTruth.OfferLift));
        }
        using (var groups = new CsvFile(Path.Combine(truth, "product_groups.csv"), "sku", "group"))
            foreach (var p in _products) groups.Row(p.Sku, Groups[p.Group]);
        File.WriteAllText(Path.Combine(truth, "population.json"), JsonSerializer.Serialize(new
        {
            bgnbd_per_day = new { r = DemoTruth.R, alpha = DemoTruth.Alpha, a = DemoTruth.A, b = DemoTruth.B },
            gamma_gamma_usd = new { p = DemoTruth.P, q = DemoTruth.Q, gamma = DemoTruth.Gamma },
            base_conversion = DemoTruth.BaseConversion,
            experiment = new { name = DemoTruth.Experiment, true_relative_lift = DemoTruth.ExperimentLift },
            cutoff = _o.Cutoff.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            label_days = DemoStoreOptions.LabelDays, customers = _o.Customers, seed = _o.Seed, mess = _o.Mess,
        }, Indented));
    }

    private int ProductIndex(DemoPerson person) => ProductIndex(person, _random);

    private int ProductIndex(DemoPerson person, Random random) =>
        random.NextDouble() < 0.8 ? person.PreferredGroup + 4 * random.Next(_products.Length / 4) : random.Next(_products.Length);

    private string Messy(string email)
    {
        if (!_o.Mess) return email;
        return _random.Next(4) switch
        {
            0 => " " + email.ToUpperInvariant() + " ",
            1 => char.ToUpperInvariant(email[0]) + email[1..],
            2 => email + " ",
            _ => email,
        };
    }

    private string MessyPhone(DemoPerson person)
    {
        if (!_o.Mess) return person.PhoneE164;
        var digits = person.PhoneE164[1..];
        var calling = Countries.First(c => c.Country == person.Country).Calling;
        var national = digits[calling.Length..];
        return _random.Next(5) switch
        {
            0 => person.PhoneE164,
            1 => $"00{digits}",
            2 => $"+{calling} {national[..3]} {national[3..6]} {national[6..]}",
            3 => $"+{calling} ({national[..3]}) {national[3..6]}-{national[6..]}",
            _ => $"+{calling}-{national}",
        };
    }

    private static string Local(DemoPerson person, DateTime utc)
    {
        var local = utc + person.UtcOffset;
        var sign = person.UtcOffset < TimeSpan.Zero ? "-" : "+";
        return $"{local:yyyy-MM-dd HH:mm:ss} {sign}{Math.Abs(person.UtcOffset.Hours):00}00";
    }

    private static string G(double value) => value.ToString("G6", CultureInfo.InvariantCulture);

    private static string Utc(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);

    private int Geometric(double p)
    {
        var n = 1;
        while (_random.NextDouble() > p && n < 50) n++;
        return n;
    }

    private int Poisson(double mean)
    {
        var limit = Math.Exp(-mean);
        var k = 0;
        for (var p = _random.NextDouble(); p > limit; p *= _random.NextDouble()) k++;
        return k;
    }

    private static string Ascii(string name) =>
        new(name.Normalize(System.Text.NormalizationForm.FormD).Where(c => char.IsAsciiLetter(c)).ToArray());

    private static string Hash(int value, int length)
    {
        var x = (ulong)value * 0x9E3779B97F4A7C15UL;
        x ^= x >> 29;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 32;
        return (x.ToString("x16", CultureInfo.InvariantCulture) + (~x).ToString("x16", CultureInfo.InvariantCulture))[..length];
    }
}
