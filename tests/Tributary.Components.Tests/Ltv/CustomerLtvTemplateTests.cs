using System.Globalization;
using Tributary.Components.Activation;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Ltv;

/// <summary>The customer_ltv template end to end on demo data, on both engines, checked against the generator's truth.</summary>
public sealed class CustomerLtvTemplateTests(PostgresCluster postgres)
{
    private static string Template => Path.Combine(RepositoryFiles.Templates, "customer_ltv.yaml");

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CustomerLtv_DemoStore_RunsEndToEndAndRecoversThePopulation(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        DemoStoreGenerator.Write(Path.Combine(h.Temp.Path, "data", "demo"), new DemoStoreOptions(Customers: 1500, Days: 365, Seed: 5));

        var result = await h.RunFileAsync(Template);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.All(result.Steps, s => Assert.Equal(StepStatus.Succeeded, s.Status));
        // One profile per real person who ordered (identity stitched their messy emails and phone-only guest checkouts),
        // and one LTV row per person with an order that was not cancelled.
        var buyers = File.ReadAllLines(Path.Combine(h.Temp.Path, "data", "demo", "ground_truth", "customers.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => int.Parse(f[10], CultureInfo.InvariantCulture) > 0).Select(f => (Email: f[1], Phone: f[2])).ToList();
        var profiles = (await h.RowsAsync("SELECT identifier_value, profile_id FROM identity_graph WHERE identifier_type IN ('email', 'phone')"))
            .ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        // A guest checkout leaves only a phone; a person is found by email, else by phone.
        Assert.Equal(buyers.Count, buyers.Select(b => profiles.GetValueOrDefault(b.Email) ?? profiles[b.Phone]).Distinct().Count());
        // Every order valued in USD at the template's rates (eur_usd 1.09 and gbp_usd 1.27, the inverses of the demo's 0.92 EUR
        // and 0.79 GBP per USD): on DuckDB both rates once arrived as 1, bound beside CASE's ELSE 1 and converted to its INTEGER.
        var rates = new Dictionary<string, double> { ["USD"] = 1, ["EUR"] = 1.09, ["GBP"] = 1.27 };
        var amounts = await h.RowsAsync("SELECT o.currency, co.amount, o.total - o.refunded_amount FROM customer_orders co JOIN orders o ON o.order_id = co.order_id");
        Assert.Equal(rates.Keys.Order(), amounts.Select(r => (string)r[0]!).Distinct().Order());
        Assert.All(amounts, r => Assert.Equal(Convert.ToDouble(r[2], CultureInfo.InvariantCulture) * rates[(string)r[0]!], Convert.ToDouble(r[1], CultureInfo.InvariantCulture), 1e-9));
        var customers = (await h.RowsAsync("SELECT count(*) FROM customer_ltv"))[0][0];
        var expected = (await h.RowsAsync("SELECT count(DISTINCT customer_id) FROM customer_orders"))[0][0];
        Assert.Equal(Convert.ToInt64(expected, CultureInfo.InvariantCulture), Convert.ToInt64(customers, CultureInfo.InvariantCulture));
        // An order refunded in full is no purchase (the demo refunds 4% of orders), so a buyer of one refunded order is valued at nothing.
        Assert.InRange(Convert.ToInt64(customers, CultureInfo.InvariantCulture), buyers.Count * 0.95, buyers.Count);
        Assert.Empty(await h.RowsAsync("SELECT co.order_id FROM customer_orders co JOIN orders o ON o.order_id = co.order_id WHERE o.financial_status = 'refunded'"));
        // The BG/NBD fit recovers the generator's stated population (r = 0.6, α = 45 days = 6.43 weeks) within 3 standard errors.
        var model = (await h.RowsAsync("SELECT parameter, value, std_error FROM customer_ltv__model WHERE model = 'bgnbd' AND parameter IN ('r', 'alpha')"))
            .ToDictionary(r => (string)r[0]!, r => (Value: Convert.ToDouble(r[1], CultureInfo.InvariantCulture), Se: Convert.ToDouble(r[2], CultureInfo.InvariantCulture)));
        Assert.True(Math.Abs(model["r"].Value - DemoTruth.R) < 3 * model["r"].Se, $"r = {model["r"].Value} ± {model["r"].Se}");
        Assert.True(Math.Abs(model["alpha"].Value - DemoTruth.Alpha / 7) < 3 * model["alpha"].Se, $"alpha = {model["alpha"].Value} ± {model["alpha"].Se}");
        // Tiers and segments a marketer can read: every customer has both, platinum is the top 1%, files and CRM table exist.
        var tiers = (await h.RowsAsync("SELECT tier, count(*) FROM customer_value GROUP BY tier")).ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));
        Assert.Equal(["bronze", "gold", "platinum", "silver"], tiers.Keys.Order());
        Assert.Empty(await h.RowsAsync("SELECT * FROM customer_value WHERE segment IS NULL OR tier IS NULL"));
        Assert.True(File.Exists(Path.Combine(h.Temp.Path, "out", "audiences", "meta_platinum.csv")));
        Assert.Equal(Convert.ToInt64(customers, CultureInfo.InvariantCulture), (await h.RowsAsync("SELECT count(*) FROM crm_customer_value"))[0][0] is var n ? Convert.ToInt64(n, CultureInfo.InvariantCulture) : 0);

        // Consent: the people the generator opted out (Accepts Marketing no, or unsubscribed in HubSpot) are known as such, and
        // none of them is in any audience file; the CRM table keeps them with marketing_consent false, so the CRM can suppress them.
        var phones = File.ReadAllLines(Path.Combine(h.Temp.Path, "data", "demo", "ground_truth", "customers.csv")).Skip(1).Select(l => l.Split(',')).ToDictionary(f => f[0], f => f[2]);
        var refused = File.ReadAllLines(Path.Combine(h.Temp.Path, "data", "demo", "ground_truth", "consent.csv")).Skip(1).Select(l => l.Split(','))
            .Where(f => f[4] == "false").Select(f => profiles.GetValueOrDefault(f[1]) ?? profiles.GetValueOrDefault(phones[f[0]])).OfType<string>().ToHashSet();
        var value = (await h.RowsAsync("SELECT customer_id, email, marketing_consent FROM customer_value")).Select(r => (Id: (string)r[0]!, Email: (string?)r[1], Consent: r[2] as bool?)).ToList();
        Assert.NotEmpty(refused);
        Assert.Equal(value.Where(v => refused.Contains(v.Id)).Select(v => v.Id).Order(), value.Where(v => v.Consent == false).Select(v => v.Id).Order());
        Assert.DoesNotContain(value, v => v.Consent is null);
        var sent = Directory.GetFiles(Path.Combine(h.Temp.Path, "out", "audiences"), "*.csv").SelectMany(f => File.ReadAllLines(f).Skip(1)).Select(l => l.Split(',')[0]).ToHashSet();
        // A phone-only customer's row has an empty email column.
        Assert.Equal(value.Where(v => v.Consent == true).Select(v => ContactNormalizer.Sha256(ContactNormalizer.Email(v.Email)) ?? "").ToHashSet(), sent);
        Assert.Equal(refused.Count(r => value.Any(v => v.Id == r)),
            Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM crm_customer_value WHERE NOT marketing_consent"))[0][0], CultureInfo.InvariantCulture));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CustomerLtv_ConsentAndNewEmail_LatestStatementWinsAndNoOptedOutCustomerIsActivated(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string header = "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Phone,Billing Country,Cancelled at,Payment Method,Refunded Amount,Id,Source,Phone";
        static string Order(int id, string email, string accepts, string day, string phone = "") =>
            $"#{id},{email},paid,,fulfilled,{accepts},USD,30,0,0,30,,0,{day} 10:00:00 +0000,1,Mug,30,SKU-1,Someone,,US,,Stripe,0,{id},web,{phone}";
        var lines = new List<string>
        {
            header,
            // Jane moved to a new address (same phone): the new one, though it sorts last, is the one to use.
            Order(2000, "aaa.jane@example.com", "yes", "2025-02-10", "+14155550100"), Order(2001, "zed.jane@example.com", "yes", "2025-05-10", "+14155550100"),
            // Olaf said no at his last order; Ruth said no, then yes; Hannah unsubscribed in HubSpot after her orders.
            Order(2100, "olaf@example.com", "yes", "2025-02-01"), Order(2101, "olaf@example.com", "no", "2025-05-01"),
            Order(2200, "ruth@example.com", "no", "2025-02-01"), Order(2201, "ruth@example.com", "yes", "2025-06-01"),
            Order(2300, "hannah@example.com", "yes", "2025-02-01"), Order(2301, "hannah@example.com", "yes", "2025-04-01"),
        };
        for (var c = 0; c < 40; c++)
            for (var k = 0; k <= c % 4; k++)
                lines.Add($"#{3000 + c * 10 + k},other{c}@example.com,paid,,fulfilled,yes,USD,20,0,0,{20 + c},,0,2025-{1 + k * 2 + c % 2:00}-{1 + c % 27:00} 09:00:00 +0000,1,Tea,20,SKU-2,Other,,US,,Stripe,0,{20000 + c * 10 + k},web,");
        h.Temp.File("data/demo/shopify/orders_export.csv", string.Join("\n", lines) + "\n");
        h.Temp.File("data/demo/hubspot/contacts.csv",
            "Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,Last Activity Date,Country/Region,Original Source,Unsubscribed from all email,Last Modified Date\n"
            + "501,Hannah,Berg,hannah@example.com,,customer,2025-01-01 10:00:00 +0000,2025-04-01 10:00:00 +0000,US,DIRECT_TRAFFIC,true,2025-06-15 10:00:00 +0000\n"
            + "502,Ruth,Lee,ruth@example.com,,customer,2025-01-01 10:00:00 +0000,2025-06-01 10:00:00 +0000,US,DIRECT_TRAFFIC,false,2025-06-15 10:00:00 +0000\n");

        var result = await h.RunFileAsync(Template, new Dictionary<string, string> { ["horizon_days"] = "90" });

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var people = (await h.RowsAsync("SELECT email, marketing_consent FROM customer_value WHERE email NOT LIKE 'other%'"))
            .Select(r => ((string)r[0]!, r[1] as bool?)).OrderBy(r => r.Item1, StringComparer.Ordinal).ToList();
        Assert.Equal([("hannah@example.com", false), ("olaf@example.com", false), ("ruth@example.com", true), ("zed.jane@example.com", true)], people);
        var sent = Directory.GetFiles(Path.Combine(h.Temp.Path, "out", "audiences"), "*.csv").SelectMany(f => File.ReadAllLines(f).Skip(1)).Select(l => l.Split(',')[0]).ToHashSet();
        Assert.Contains(ContactNormalizer.Sha256("zed.jane@example.com")!, sent);
        Assert.Contains(ContactNormalizer.Sha256("ruth@example.com")!, sent);
        Assert.DoesNotContain(ContactNormalizer.Sha256("aaa.jane@example.com")!, sent);
        Assert.DoesNotContain(ContactNormalizer.Sha256("olaf@example.com")!, sent);
        Assert.DoesNotContain(ContactNormalizer.Sha256("hannah@example.com")!, sent);
        Assert.Equal(42, sent.Count);
        var log = string.Join("\n", (await h.Store.GetEventsAsync(result.RunId, CancellationToken.None)).Select(e => e.Message));
        Assert.Contains("consent required: 2 of 44 row(s) left out for no marketing consent (2 opted out, 0 unknown)", log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CustomerLtv_SameEmailInDifferentCaseAndSpacing_IsOneCustomer()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        const string header = "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Phone,Billing Country,Cancelled at,Payment Method,Refunded Amount,Id,Source,Phone";
        var lines = new List<string> { header };
        var emails = new[] { "Jane.Doe@Example.com", " JANE.DOE@EXAMPLE.COM ", "jane.doe@example.com", "jane.doe@example.com " };
        for (var i = 0; i < emails.Length; i++)
            lines.Add($"#{2000 + i},\"{emails[i]}\",paid,,fulfilled,yes,USD,30,0,0,30,,0,2025-0{i + 2}-10 10:00:00 +0000,1,Mug,30,SKU-1,Jane Doe,,US,,Stripe,0,{9000 + i},web,");
        // Others, so the models have a population to fit.
        for (var c = 0; c < 40; c++)
            for (var k = 0; k <= c % 4; k++)
                lines.Add($"#{3000 + c * 10 + k},other{c}@example.com,paid,,fulfilled,yes,USD,20,0,0,{20 + c},,0,2025-{1 + k * 2 + c % 2:00}-{1 + c % 27:00} 09:00:00 +0000,1,Tea,20,SKU-2,Other,,US,,Stripe,0,{20000 + c * 10 + k},web,");
        h.Temp.File("data/demo/shopify/orders_export.csv", string.Join("\n", lines) + "\n");
        h.Temp.File("data/demo/hubspot/contacts.csv", "Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,Last Activity Date,Country/Region,Original Source\n");

        var result = await h.RunFileAsync(Template, new Dictionary<string, string> { ["horizon_days"] = "90" });

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var jane = await h.RowsAsync("SELECT l.frequency, v.email FROM customer_ltv l JOIN customer_value v ON v.customer_id = l.customer_id WHERE v.email = 'jane.doe@example.com'");
        var row = Assert.Single(jane);
        Assert.Equal(3L, Convert.ToInt64(row[0], CultureInfo.InvariantCulture)); // four orders on four days: three repeat purchases
        Assert.Equal(41, (await h.RowsAsync("SELECT * FROM customer_ltv")).Count);
        Assert.Equal(ContactNormalizer.Email(emails[1]), row[1]);
    }

    // A JPY order (no rate by default) and a customer whose only order was refunded in full, among enough others to fit the models.
    private static void WriteYenAndRefundStore(ComponentHarness h)
    {
        const string header = "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Phone,Billing Country,Cancelled at,Payment Method,Refunded Amount,Id,Source,Phone";
        var lines = new List<string>
        {
            header,
            "#1013,taro@example.jp,paid,,fulfilled,yes,JPY,15000,0,1500,16500,,0,2025-04-10 10:00:00 +0900,1,Tetsubin,15000,TET-01,Taro Yamada,,JP,,Stripe,0,1013,web,",
            "#1006,eve@example.com,refunded,,fulfilled,yes,USD,80,0,0,80,,0,2025-03-12 12:00:00 -0500,1,Vase,80,VAS-01,Eve Adams,,US,,Stripe,80,1006,web,",
            "#1007,gb@example.co.uk,paid,,fulfilled,yes,GBP,100,0,0,100,,0,2025-03-12 12:00:00 +0000,1,Vase,100,VAS-01,Ann Smith,,GB,,Stripe,0,1007,web,",
        };
        for (var c = 0; c < 40; c++)
            for (var k = 0; k <= c % 4; k++)
                lines.Add($"#{3000 + c * 10 + k},other{c}@example.com,paid,,fulfilled,yes,USD,20,0,0,{20 + c},,0,2025-{1 + k * 2 + c % 2:00}-{1 + c % 27:00} 09:00:00 +0000,1,Tea,20,SKU-2,Other,,US,,Stripe,0,{20000 + c * 10 + k},web,");
        h.Temp.File("data/demo/shopify/orders_export.csv", string.Join("\n", lines) + "\n");
        h.Temp.File("data/demo/hubspot/contacts.csv", "Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,Last Activity Date,Country/Region,Original Source\n");
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CustomerLtv_OrderInACurrencyWithoutRate_IsLeftOutAndReportedNotValuedOneToOne(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteYenAndRefundStore(h);

        var result = await h.RunFileAsync(Template, new Dictionary<string, string> { ["horizon_days"] = "90" });

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Empty(await h.RowsAsync("SELECT * FROM customer_orders WHERE order_id = '#1013'"));
        Assert.Empty(await h.RowsAsync("SELECT * FROM customer_value WHERE email = 'taro@example.jp'"));
        var unpriced = Assert.Single(await h.RowsAsync("SELECT currency, row_count, amount FROM priced_orders__unpriced"));
        Assert.Equal(("JPY", 1L, 16500.0), ((string)unpriced[0]!, Convert.ToInt64(unpriced[1], CultureInfo.InvariantCulture), Convert.ToDouble(unpriced[2], CultureInfo.InvariantCulture)));
        var warning = Assert.Single(await h.Store.GetChecksAsync(result.RunId, CancellationToken.None), c => c.Asset == "priced_orders");
        Assert.Equal((false, false, "left out 1 in a currency with no rate to USD: JPY (1). Add JPY=<USD per JPY> to the rates of 'priced_orders' (in the templates, "
            + "the exchange_rates param). They are counted in priced_orders__unpriced."), (warning.Passed, warning.Blocking, warning.Detail));
        var gbp = Assert.Single(await h.RowsAsync("SELECT amount FROM customer_orders WHERE order_id = '#1007'"));
        Assert.Equal(127.0, Convert.ToDouble(gbp[0], CultureInfo.InvariantCulture), 1e-9);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CustomerLtv_RateGivenInExchangeRates_ValuesTheOrderInUsd(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteYenAndRefundStore(h);

        var result = await h.RunFileAsync(Template, new Dictionary<string, string> { ["horizon_days"] = "90", ["exchange_rates"] = "JPY=0.0067" });

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var yen = Assert.Single(await h.RowsAsync("SELECT amount FROM customer_orders WHERE order_id = '#1013'"));
        Assert.Equal(110.55, Convert.ToDouble(yen[0], CultureInfo.InvariantCulture), 1e-9);
        Assert.Empty(await h.RowsAsync("SELECT * FROM priced_orders__unpriced"));
        Assert.All(await h.Store.GetChecksAsync(result.RunId, CancellationToken.None), c => Assert.True(c.Passed, $"{c.Check}: {c.Detail}"));
    }

    // CLV work drops returned orders: a refund in full undoes the purchase, so it is no repeat, no spend and no audience member.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CustomerLtv_OnlyOrderRefundedInFull_IsNoPurchase(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteYenAndRefundStore(h);

        var result = await h.RunFileAsync(Template, new Dictionary<string, string> { ["horizon_days"] = "90" });

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Empty(await h.RowsAsync("SELECT * FROM customer_orders WHERE order_id = '#1006'"));
        Assert.Empty(await h.RowsAsync("SELECT * FROM customer_value WHERE email = 'eve@example.com'"));
        var audiences = Directory.GetFiles(Path.Combine(h.Temp.Path, "out", "audiences")).SelectMany(File.ReadAllLines).ToList();
        Assert.NotEmpty(audiences);
        Assert.DoesNotContain(audiences, l => l.Contains(ContactNormalizer.Sha256("eve@example.com")!, StringComparison.Ordinal));
    }
}
