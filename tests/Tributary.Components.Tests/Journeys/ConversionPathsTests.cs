using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Journeys;

public sealed class ConversionPathsTests(PostgresCluster postgres)
{
    // Person p1 uses two devices (d1, d2) and orders twice; p2 never orders; p3 orders with no touch.
    private const string Pipeline = """
        pipeline: p
        components:
          - { id: touchpoints, type: source.csv, with: { path: touchpoints.csv, columns: { anonymous_id: VARCHAR, touched_at: TIMESTAMP, channel: VARCHAR, campaign: VARCHAR } } }
          - { id: orders, type: source.csv, with: { path: orders.csv, columns: { email: VARCHAR, phone: VARCHAR, ordered_at: TIMESTAMP, total: DOUBLE, is_cancelled: BOOLEAN } } }
          - { id: identity_graph, type: source.csv, with: { path: identity.csv, columns: { identifier_type: VARCHAR, identifier_value: VARCHAR, profile_id: VARCHAR } } }
          - id: paths
            type: journey.conversion_paths
            inputs: [touchpoints, orders, identity_graph]
            with: { tables: { touchpoints: touchpoints, orders: orders, identity: identity_graph }, lookback_days: 10 }
          - id: attribution
            type: analytics.attribution
            inputs: [paths]
            with: { models: [last_touch, first_touch, markov_1, shapley] }
        """;

    private static void Write(ComponentHarness h)
    {
        h.Temp.File("identity.csv", "identifier_type,identifier_value,profile_id\nanonymous_id,d1,p1\nanonymous_id,d2,p1\nemail,a@x.com,p1\nanonymous_id,d3,p2\nemail,c@x.com,p3\n");
        h.Temp.File("touchpoints.csv", string.Join("\n", "anonymous_id,touched_at,channel,campaign",
            "d1,2025-01-01 10:00:00,paid_search,brand",     // too old for the first order's 10-day window: a journey of its own
            "d1,2025-01-15 10:00:00,email,weekly",
            "d2,2025-01-16 10:00:00,paid_social,retargeting",
            "d1,2025-01-18 10:00:00,display,remarketing",   // after the first order: belongs to the second
            "d2,2025-02-01 10:00:00,paid_search,brand",     // after the last order: non-converting
            "d3,2025-01-05 10:00:00,display,remarketing") + "\n");
        h.Temp.File("orders.csv", string.Join("\n", "email,phone,ordered_at,total,is_cancelled",
            "a@x.com,,2025-01-17 12:00:00,50,false", "a@x.com,,2025-01-20 12:00:00,30,false", "a@x.com,,2025-01-21 12:00:00,99,true",
            "c@x.com,,2025-01-10 12:00:00,20,false") + "\n");
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Paths_StitchDevicesRespectTheLookbackAndKeepNonConvertingJourneys(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        Write(h);

        var result = await h.RunAsync(Pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT path_id, position, channel, converted, conversion_value FROM paths ORDER BY path_id, position"))
            .Select(r => ((string)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture), (string)r[2]!, (bool)r[3]!, Convert.ToDouble(r[4], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(
        [
            ("p1#1", 1L, "email", true, 50.0), ("p1#1", 2L, "paid_social", true, 50.0),
            ("p1#2", 1L, "display", true, 30.0),
            ("p1#nc1", 1L, "paid_search", false, 0.0),
            ("p1#nc2", 1L, "paid_search", false, 0.0),
            ("p2#nc1", 1L, "display", false, 0.0),
            ("p3#1", 1L, "direct", true, 20.0),
        ], rows);
        var metadata = (await h.Store.GetMaterializationsAsync(result.RunId, "paths", CancellationToken.None)).Single().MetadataJson;
        Assert.Contains("\"converting_paths\":3", metadata, StringComparison.Ordinal);
        Assert.Contains("\"non_converting_paths\":3", metadata, StringComparison.Ordinal);
        var attribution = (await h.RowsAsync("SELECT model, channel, conversions FROM attribution")).ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => Convert.ToDouble(r[2], CultureInfo.InvariantCulture));
        Assert.Equal(1.0, attribution[("last_touch", "paid_social")], 1e-12);
        Assert.Equal(1.0, attribution[("first_touch", "email")], 1e-12);
        foreach (var model in new[] { "last_touch", "markov_1", "shapley" })
            Assert.Equal(3.0, attribution.Where(a => a.Key.Item1 == model).Sum(a => a.Value), 1e-9);
    }

    [Fact]
    public async Task Paths_JourneyGap_EndsAJourneyWithoutAConversion()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        h.Temp.File("identity.csv", "identifier_type,identifier_value,profile_id\nanonymous_id,d1,p1\nemail,a@x.com,p1\n");
        h.Temp.File("touchpoints.csv", string.Join("\n", "anonymous_id,touched_at,channel,campaign",
            "d1,2025-01-15 10:00:00,email,weekly", "d1,2025-01-16 10:00:00,paid_social,prospecting", // 24 h apart: one journey
            "d1,2025-01-17 11:00:00,display,remarketing",                                            // 25 h later: a new one
            "d1,2025-01-20 09:00:00,paid_search,brand") + "\n");                                      // 2 days before the next order
        h.Temp.File("orders.csv", "email,phone,ordered_at,total,is_cancelled\na@x.com,,2025-01-17 12:00:00,50,false\na@x.com,,2025-01-22 12:00:00,30,false\n");

        var result = await h.RunAsync(Pipeline.Replace("lookback_days: 10", "lookback_days: 10, journey_gap_days: 1", StringComparison.Ordinal));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT path_id, channel, converted FROM paths ORDER BY path_id, position")).Select(r => ((string)r[0]!, (string)r[1]!, (bool)r[2]!)).ToList();
        Assert.Equal(
        [
            ("p1#1", "display", true),
            ("p1#2", "direct", true),
            ("p1#nc1", "email", false), ("p1#nc1", "paid_social", false),
            ("p1#nc2", "paid_search", false),
        ], rows);
    }

    // Passes by profile (forced here; chosen from the touchpoints' count and DuckDB's memory limit at scale) give the same
    // paths as one pass: converting, expired, non-converting and direct, with their positions.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Paths_InPassesByProfile_AreThePathsOfOnePass(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var identity = new List<string> { "identifier_type,identifier_value,profile_id" };
        var touches = new List<string> { "anonymous_id,touched_at,channel,campaign" };
        var orders = new List<string> { "email,phone,ordered_at,total,is_cancelled" };
        string[] channels = ["email", "paid_search", "display", "paid_social"];
        static string Day(int day) => new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Unspecified).AddDays(day).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        for (var p = 0; p < 30; p++)
        {
            identity.AddRange([$"anonymous_id,d{p}a,p{p}", $"anonymous_id,d{p}b,p{p}", $"email,e{p}@x.com,p{p}"]);
            for (var t = 0; t < 8; t++)
            {
                // Touches every 2 to 9 days on two devices, two of them at the same instant for some profiles.
                var day = 1 + t * (2 + (p + t) % 8);
                touches.Add($"d{p}{(t % 2 == 0 ? "a" : "b")},{Day(day)} 10:00:00,{channels[(p + t) % 4]},c{t}");
            }
            if (p % 5 == 4) touches.Add($"d{p}b,2025-01-02 10:00:00,display,tie");
            // Orders: none, one, or two (one of them cancelled for some), and profiles whose order has no touch before it.
            for (var o = 0; o < p % 3; o++)
                orders.Add($"e{p}@x.com,,{Day(5 + o * 20 + p % 4)} 12:00:00,{10 + p + o},{(p % 6 == 5 && o == 1 ? "true" : "false")}");
        }
        orders.Add("e99@x.com,,2025-01-05 12:00:00,5,false");
        identity.Add("email,e99@x.com,p99");
        h.Temp.File("identity.csv", string.Join("\n", identity) + "\n");
        h.Temp.File("touchpoints.csv", string.Join("\n", touches) + "\n");
        h.Temp.File("orders.csv", string.Join("\n", orders) + "\n");
        var pipeline = Pipeline[..Pipeline.IndexOf("  - id: attribution", StringComparison.Ordinal)]
            .Replace("lookback_days: 10 }", "lookback_days: 10, journey_gap_days: 6, passes: 1 }", StringComparison.Ordinal) + """
              - id: paths_in_passes
                type: journey.conversion_paths
                inputs: [touchpoints, orders, identity_graph]
                with: { tables: { touchpoints: touchpoints, orders: orders, identity: identity_graph }, lookback_days: 10, journey_gap_days: 6, passes: 4 }
            """;

        var result = await h.RunAsync(pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        async Task<List<string>> Rows(string table) => (await h.RowsAsync(
                $"SELECT path_id, profile_id, position, channel, campaign, touched_at, days_before_conversion, converted, conversion_value, converted_at FROM {table} ORDER BY path_id, position"))
            .Select(r => string.Join("|", r.Select(v => Convert.ToString(v, CultureInfo.InvariantCulture)))).ToList();
        var one = await Rows("paths");
        Assert.True(one.Count > 200, $"{one.Count} rows");
        Assert.Contains(one, r => r.Contains("|direct|", StringComparison.Ordinal));
        Assert.Contains(one, r => r.Contains("#nc", StringComparison.Ordinal));
        Assert.Equal(one, await Rows("paths_in_passes"));
    }
}
