using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Fraud;

public sealed class TransactionFeaturesTests(PostgresCluster postgres)
{
    private const string Header = "transaction_id,created_at,amount,status,card_fingerprint,email,stripe_customer_id,ip_address,card_country,billing_country";

    // t2 and t3 happen at the same instant; t6 is another profile, at night, without an IP.
    private static readonly string[] Base =
    [
        "t1,2025-01-01 10:00:00,10,paid,c1,a@x,p1,ip1,US,US",
        "t2,2025-01-01 10:05:00,20,failed,c2,a@x,p1,ip1,US,US",
        "t3,2025-01-01 10:05:00,30,paid,c3,a@x,p1,ip1,BR,US",
        "t4,2025-01-01 10:20:00,40,paid,c1,b@x,p1,ip2,US,US",
        "t6,2025-01-01 03:00:00,5,paid,c9,z@x,p2,,DE,DE",
    ];

    private const string Pipeline = """
        pipeline: p
        components:
          - id: tx
            type: source.csv
            with:
              path: tx.csv
              columns: { transaction_id: VARCHAR, created_at: TIMESTAMP, amount: DOUBLE, status: VARCHAR, card_fingerprint: VARCHAR, email: VARCHAR, stripe_customer_id: VARCHAR, ip_address: VARCHAR, card_country: VARCHAR, billing_country: VARCHAR }
          - { id: features, type: features.transactions, inputs: [tx] }
        """;

    private static async Task<Dictionary<string, Dictionary<string, object?>>> RunAsync(ComponentHarness h, IEnumerable<string> rows)
    {
        File.WriteAllLines(Path.Combine(h.Temp.Path, "tx.csv"), [Header, .. rows]);
        var result = await h.RunAsync(Pipeline);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var table = await h.Warehouse.QueryAsync("SELECT * FROM features", null, 10_000, CancellationToken.None);
        return table.Rows.ToDictionary(r => (string)r[0]!, r => table.Schema.Columns.Select((c, i) => (c.Name, r[i])).ToDictionary(x => x.Name, x => x.Item2));
    }

    private static double? D(object? v) => v is null ? null : Convert.ToDouble(v, CultureInfo.InvariantCulture);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Features_SmallTable_MatchHandComputedValues(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var f = await RunAsync(h, [.. Base, "t5,2025-01-02 09:00:00,100,paid,c1,a@x,p1,ip1,US,US",
            "t9,2025-01-02 10:00:00,8,failed,c8,z@x,p2,,US,DE", "t10,2025-01-02 11:00:00,9,paid,c7,y@x,p3,,US,US", "t11,2025-01-02 12:00:00,9,paid,c6,w@x,p4,,,US"]);

        // t4 at 10:20: the profile's t1-t3 are within the hour (sum 60) but none within 10 minutes; card c1 was used once (t1).
        var t4 = f["t4"];
        Assert.Equal(0, D(t4["profile_count_10m"]));
        Assert.Equal(3, D(t4["profile_count_1h"]));
        Assert.Equal(60, D(t4["profile_amount_1h"]));
        Assert.Equal(1, D(t4["card_count_1h"]));
        Assert.Equal(10, D(t4["card_amount_1h"]));
        Assert.Equal(0, D(t4["email_count_24h"]));
        Assert.Equal(1, D(t4["card_distinct_emails_1h"]));
        Assert.Equal(0, D(t4["ip_count_24h"]));
        Assert.Equal(1.0 / 3, D(t4["profile_decline_ratio_24h"])!.Value, 9);
        // Earlier successful amounts 10 and 30: mean 20, sample sd √200; 40 is above both.
        Assert.Equal(2, D(t4["profile_prior_transactions"]));
        Assert.Equal(20 / Math.Sqrt(200), D(t4["amount_z"])!.Value, 9);
        Assert.Equal(2, D(t4["amount_ratio"])!.Value, 9);
        Assert.Equal(1, D(t4["amount_percentile"]));
        Assert.Equal(0, D(t4["new_card_for_profile"]));
        Assert.Equal(0, D(t4["profile_night_share"]));
        Assert.Equal(20.0 / 1440, D(t4["profile_age_days"])!.Value, 9);

        // t3 shares its instant with t2, which does not count as before it.
        var t3 = f["t3"];
        Assert.Equal(1, D(t3["profile_count_10m"]));
        Assert.Equal(1, D(t3["email_count_10m"]));
        Assert.Equal(1, D(t3["email_distinct_cards_10m"]));
        Assert.Equal(0, D(t3["profile_decline_ratio_24h"]));
        Assert.Equal(1, D(t3["new_card_for_profile"]));
        Assert.Equal(1, D(t3["new_country_for_profile"]));
        Assert.Equal(1, D(t3["country_mismatch"]));
        Assert.Equal(1, D(f["t2"]["amount_percentile"])); // 20 against the earlier 10 (t1); t3's 30 at the same instant is not earlier
        Assert.Equal(0, D(f["t2"]["new_country_for_profile"]));

        // t5 the next morning: the 24 hours hold t1-t4 (one declined), three cards for a@x, two emails for c1.
        var t5 = f["t5"];
        Assert.Equal(4, D(t5["profile_count_24h"]));
        Assert.Equal(100, D(t5["profile_amount_24h"]));
        Assert.Equal(0.25, D(t5["profile_decline_ratio_24h"]));
        Assert.Equal(3, D(t5["email_distinct_cards_24h"]));
        Assert.Equal(2, D(t5["card_distinct_emails_24h"]));
        Assert.Equal(2, D(t5["card_count_24h"]));
        Assert.Equal(3, D(t5["ip_count_24h"]));
        Assert.Equal(100 / (80.0 / 3), D(t5["amount_ratio"])!.Value, 9);
        Assert.Equal(23.0 / 24, D(t5["profile_age_days"])!.Value, 9);

        // The first transaction of a profile has no history; a missing IP gives no IP velocity.
        Assert.Null(f["t1"]["amount_z"]);
        Assert.Null(f["t1"]["amount_ratio"]);
        Assert.Null(f["t1"]["amount_percentile"]);
        Assert.Null(f["t1"]["profile_night_share"]);
        Assert.Equal(0, D(f["t1"]["new_card_for_profile"]));
        Assert.Equal(1, D(f["t6"]["is_night"]));
        Assert.Equal(0, D(f["t1"]["is_night"]));
        Assert.Equal(0, D(f["t6"]["ip_count_24h"]));
        Assert.Equal(0, D(f["t6"]["profile_count_24h"]));

        // Customers who paid before, store-wide and with a card of the same country: p2 (t6) before t1; p1's first BR card
        // (t3) is at t3's own instant, so not before it; a declined attempt (t9) counts p2 for US; no card country, no count.
        Assert.Equal(0, D(f["t6"]["prior_profiles"]));
        Assert.Equal(0, D(f["t6"]["card_country_profiles"]));
        Assert.Equal(1, D(f["t1"]["prior_profiles"]));
        Assert.Equal(0, D(f["t1"]["card_country_profiles"]));
        Assert.Equal(2, D(f["t3"]["prior_profiles"]));
        Assert.Equal(0, D(f["t3"]["card_country_profiles"]));
        Assert.Equal(1, D(f["t4"]["card_country_profiles"]));
        Assert.Equal(1, D(f["t9"]["card_country_profiles"]));
        Assert.Equal(2, D(f["t10"]["card_country_profiles"]));
        Assert.Equal(2, D(f["t10"]["prior_profiles"]));
        Assert.Null(f["t11"]["card_country_profiles"]);
        Assert.Equal(3, D(f["t11"]["prior_profiles"]));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Features_AddingLaterRows_NeverChangesAnEarlierTransaction(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var before = await RunAsync(h, Base);
        // Later rows for the same card, email, profile and IP, one at t4's own instant.
        var after = await RunAsync(h, [.. Base,
            "t5,2025-01-02 09:00:00,100,paid,c1,a@x,p1,ip1,US,US",
            "t7,2025-01-01 10:20:00,900,failed,c1,a@x,p1,ip2,NG,US",
            "t8,2025-01-01 10:21:00,7,failed,c3,b@x,p2,ip1,US,DE"]);

        foreach (var (id, features) in before)
            foreach (var (column, value) in features)
                Assert.True(Equals(value, after[id][column]), $"{id}.{column}: {value} before, {after[id][column]} after later rows");
        Assert.Equal(1, D(after["t8"]["email_count_10m"])); // t4 (b@x) is before t8
    }
}
