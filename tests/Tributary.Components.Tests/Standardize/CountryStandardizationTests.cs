using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Standardize;

/// <summary>
/// Standardizers that carry a country write ISO 3166-1 alpha-2 codes whatever the export wrote, keep (and count) values
/// that name no country, and read a national phone number in its row's country.
/// </summary>
public sealed class CountryStandardizationTests(PostgresCluster postgres)
{
    private const string Contacts = "Record ID,First Name,Last Name,Email,Phone Number,Lifecycle Stage,Create Date,Last Activity Date,Country/Region,Original Source\n"
        + "1,Ann,A,ann@example.com,07700 900123,customer,2024-03-01,2024-03-02,UNITED KINGDOM,ORGANIC_SEARCH\n"
        + "2,Ben,B,ben@example.com,07700 900124,customer,2024-03-01,2024-03-02,gb,ORGANIC_SEARCH\n"
        + "3,Cem,C,cem@example.com,0151 1234 5678,customer,2024-03-01,2024-03-02,Deutschland,ORGANIC_SEARCH\n"
        + "4,Dee,D,dee@example.com,06 12 34 56 78,customer,2024-03-01,2024-03-02,FRA,ORGANIC_SEARCH\n"
        + "5,Eve,E,eve@example.com,(201) 555-0123,customer,2024-03-01,2024-03-02,,ORGANIC_SEARCH\n"
        + "6,Fay,F,fay@example.com,+91 98765 43210,customer,2024-03-01,2024-03-02,Narnia,ORGANIC_SEARCH\n"
        + "7,Gus,G,gus@example.com,98765 43210,customer,2024-03-01,2024-03-02,India,ORGANIC_SEARCH\n";

    private const string Orders = "Name,Email,Financial Status,Paid at,Fulfillment Status,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,"
        + "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem sku,Billing Name,Billing Phone,Billing Country,Cancelled at,Payment Method,Refunded Amount,Id,Source,Phone\n"
        + "#1001,ann@example.com,paid,,fulfilled,yes,GBP,10,0,0,10,,0,2024-03-01 10:00:00 +0000,1,Mug,10,MUG,Ann A,07700 900123,United Kingdom,,Stripe,0,1,web,\n"
        + "#1002,cem@example.com,paid,,fulfilled,yes,EUR,10,0,0,10,,0,2024-03-01 11:00:00 +0000,1,Mug,10,MUG,Cem C,0151 1234 5678,DE,,Stripe,0,2,web,\n"
        + "#1003,eve@example.com,paid,,fulfilled,yes,USD,10,0,0,10,,0,2024-03-01 12:00:00 +0000,1,Mug,10,MUG,Eve E,201-555-0123,U.S.A.,,Stripe,0,3,web,\n";

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Customers_MixedCountrySpellings_BecomeAlpha2AndPhonesTheirCountrys(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("hubspot/contacts.csv", Contacts);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: hubspot, type: source.hubspot_contacts, with: { path: hubspot } }
              - { id: customers, type: standardize.customers, inputs: [hubspot] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT hubspot_id, country, phone FROM customers ORDER BY hubspot_id");
        Assert.Equal(
        [
            ("1", "GB", "+447700900123"), ("2", "GB", "+447700900124"), ("3", "DE", "+4915112345678"), ("4", "FR", "+33612345678"),
            ("5", null, "+12015550123"), ("6", "Narnia", "+919876543210"), ("7", "IN", "+919876543210"),
        ], rows.Select(r => ((string)r[0]!, r[1] as string, r[2] as string)).ToList());
        var warning = Assert.Single(await h.Store.GetChecksAsync(result.RunId, CancellationToken.None), c => c.Asset == "customers");
        Assert.Equal((false, false), (warning.Passed, warning.Blocking));
        Assert.Equal("1 country values name no ISO 3166-1 country and are kept as given: 'Narnia' (1). Write them as a code (GB) or an English name (United Kingdom) in the export.",
            warning.Detail);
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Orders_BillingCountryNamesOrCodes_BecomeAlpha2AndPhonesTheirCountrys(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("shopify/orders_export.csv", Orders);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: shopify, type: source.shopify_orders, with: { path: shopify } }
              - { id: orders, type: standardize.orders, inputs: [shopify], with: { default_country_code: "44" } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT order_id, billing_country, phone FROM orders ORDER BY order_id");
        Assert.Equal([("#1001", "GB", "+447700900123"), ("#1002", "DE", "+4915112345678"), ("#1003", "US", "+12015550123")],
            rows.Select(r => ((string)r[0]!, r[1] as string, r[2] as string)).ToList());
        Assert.DoesNotContain(await h.Store.GetChecksAsync(result.RunId, CancellationToken.None), c => c.Asset == "orders" && !c.Passed);
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Transactions_CardAndBillingCountries_BecomeAlpha2(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("stripe/unified_payments.csv", "id,Created date (UTC),Amount,Amount Refunded,Currency,Captured,Status,Customer ID,Customer Email,Card Fingerprint,"
            + "Card Issue Country,Card Address Country\n"
            + "ch_1,2024-03-01 10:00:00,10,0,gbp,true,Paid,cus_1,ann@example.com,fp_1,United Kingdom,GBR\n"
            + "ch_2,2024-03-01 11:00:00,10,0,eur,true,Paid,cus_2,cem@example.com,fp_2,de,Germany\n");

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: stripe, type: source.stripe_charges, with: { path: stripe } }
              - { id: transactions, type: standardize.transactions, inputs: [stripe] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await h.RowsAsync("SELECT transaction_id, card_country, billing_country FROM transactions ORDER BY transaction_id");
        Assert.Equal([("ch_1", "GB", "GB"), ("ch_2", "DE", "DE")], rows.Select(r => ((string)r[0]!, r[1] as string, r[2] as string)).ToList());
    }

    [Theory]
    [InlineData("UNITED KINGDOM", "GB")]
    [InlineData("u.k.", "GB")]
    [InlineData("GBR", "GB")]
    [InlineData(" gb ", "GB")]
    [InlineData("Côte d'Ivoire", "CI")]
    [InlineData("Korea, Republic of", "KR")]
    [InlineData("United States of America", "US")]
    [InlineData("The Netherlands", "NL")]
    [InlineData("Narnia", null)]
    [InlineData("", null)]
    public void ToAlpha2_NamesAndCodes(string given, string? expected) => Assert.Equal(expected, Tributary.Components.Standardize.CountryCodes.ToAlpha2(given));
}
