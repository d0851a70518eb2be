using System.Globalization;
using Tributary.Components.Funnels;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Funnels;

/// <summary>Hand-made event streams with hand-counted funnels (docs/journeys.md states each rule tested here).</summary>
public sealed class FunnelTests(PostgresCluster postgres)
{
    private const string Columns = "{ event_id: VARCHAR, event: VARCHAR, anonymous_id: VARCHAR, user_id: VARCHAR, occurred_at: TIMESTAMP, person: VARCHAR, channel: VARCHAR, revenue: DOUBLE }";
    private const string Header = "event_id,event,anonymous_id,user_id,occurred_at,person,channel,revenue";

    // u1 straight through; u2 does C before B; u3 does B before A; u4 does B and A at the same instant; u5 enters twice
    // before B; u6 enters, times out, and enters again to finish.
    private static readonly string Basic = string.Join("\n", Header,
        "u1-1,A,,,2025-01-01 10:00:00,u1,,", "u1-2,B,,,2025-01-01 10:05:00,u1,,", "u1-3,C,,,2025-01-01 10:10:00,u1,,",
        "u2-1,A,,,2025-01-01 10:00:00,u2,,", "u2-2,C,,,2025-01-01 10:01:00,u2,,", "u2-3,B,,,2025-01-01 10:02:00,u2,,",
        "u3-1,B,,,2025-01-01 09:00:00,u3,,", "u3-2,A,,,2025-01-01 10:00:00,u3,,",
        "u4-1,B,,,2025-01-01 10:00:00,u4,,", "u4-2,A,,,2025-01-01 10:00:00,u4,,", "u4-3,C,,,2025-01-03 10:00:00,u4,,",
        "u5-1,A,,,2025-01-01 10:00:00,u5,,", "u5-2,A,,,2025-01-01 10:30:00,u5,,", "u5-3,B,,,2025-01-01 10:40:00,u5,,",
        "u6-1,A,,,2025-01-01 10:00:00,u6,,", "u6-2,A,,,2025-01-03 09:00:00,u6,,", "u6-3,B,,,2025-01-03 10:00:00,u6,,", "u6-4,C,,,2025-01-03 11:00:00,u6,,") + "\n";

    private static string Pipeline(string with) => $$"""
        pipeline: p
        components:
          - { id: events, type: source.csv, with: { path: events.csv, columns: {{Columns}} } }
          - id: funnel
            type: analytics.funnel
            inputs: [events]
            with: { {{with}} }
        """;

    private async Task<ComponentHarness> RunAsync(string engine, string events, string with)
    {
        var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events.csv", events);
        var result = await h.RunAsync(Pipeline(with));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        return h;
    }

    private static async Task<List<(string Breakdown, long Step, long Units)>> StepsAsync(ComponentHarness h) =>
        (await h.RowsAsync("SELECT breakdown, step, units FROM funnel ORDER BY breakdown, step"))
        .Select(r => ((string)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).ToList();

    private static async Task<Dictionary<string, long>> FurthestAsync(ComponentHarness h) =>
        (await h.RowsAsync("SELECT unit, furthest_step FROM funnel__units")).ToDictionary(r => (string)r[0]!, r => Convert.ToInt64(r[1], CultureInfo.InvariantCulture));

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Ordered_TiesCountInOrder_RepeatedEntriesCountOnce_FurthestAttemptWins(string engine)
    {
        await using var h = await RunAsync(engine, Basic, "steps: [A, B, C], window: 1d, unit_column: person");

        Assert.Equal([("(all)", 1L, 6L), ("(all)", 2L, 5L), ("(all)", 3L, 2L)], await StepsAsync(h));
        Assert.Equal(new Dictionary<string, long> { ["u1"] = 3, ["u2"] = 2, ["u3"] = 1, ["u4"] = 2, ["u5"] = 2, ["u6"] = 3 }, await FurthestAsync(h));
        // u5's first entry reaches as far as its second: the earlier one counts, so B came 40 minutes after it.
        // u6's first entry times out; the second one converts and is the one recorded.
        var entered = (await h.RowsAsync("SELECT unit, entered_at FROM funnel__units WHERE unit IN ('u5', 'u6') ORDER BY unit")).Select(r => (DateTime)r[1]!).ToList();
        Assert.Equal([new DateTime(2025, 1, 1, 10, 0, 0), new DateTime(2025, 1, 3, 9, 0, 0)], entered);
        var times = (await h.RowsAsync("SELECT step, median_seconds_to_convert, dropped FROM funnel ORDER BY step"))
            .Select(r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), r[1] is null ? (double?)null : Convert.ToDouble(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture))).ToList();
        // Step 2 after step 1: u1 300 s, u2 120 s, u4 0 s, u5 2400 s, u6 3600 s -> median 300; step 3: u1 300 s, u6 3600 s -> 1950.
        Assert.Equal([(1L, null, 0L), (2L, 300.0, 1L), (3L, 1950.0, 3L)], times);
    }

    // Two entries at one instant: the breakdown is the one with the smaller event id. DuckDB compares ids by bytes ('B2' <
    // 'a-1'), a PostgreSQL database with an en-US collation by its rules ('a-1' < 'B2'): read there in byte order, the
    // funnel credits the same channel on both.
    [Fact]
    public async Task Ordered_OnAPostgresDatabaseSortingByEnUs_BreaksATieOfEventIdsAsDuckDbDoes()
    {
        var events = string.Join("\n", Header, "B2,A,,,2025-01-01 10:00:00,p1,web,", "a-1,A,,,2025-01-01 10:00:00,p1,email,", "x-3,B,,,2025-01-01 10:05:00,p1,email,") + "\n";
        async Task<string> BreakdownAsync(ComponentHarness h)
        {
            h.Temp.File("events.csv", events);
            var result = await h.RunAsync(Pipeline("steps: [A, B], window: 1d, unit_column: person, breakdown: channel"));
            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            return (string)Assert.Single(await h.RowsAsync("SELECT breakdown FROM funnel__units"))[0]!;
        }
        await using var duck = await ComponentHarness.CreateAsync("duckdb", postgres);
        await using var pg = await ComponentHarness.CreateOnCollatedPostgresAsync(postgres, "en-US");
        Assert.Equal(["a-1", "B2"], (await pg.RowsAsync("SELECT x FROM (VALUES ('B2'), ('a-1')) AS v(x) ORDER BY x")).Select(r => (string)r[0]!));

        Assert.Equal("web", await BreakdownAsync(duck));
        Assert.Equal("web", await BreakdownAsync(pg));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Strict_NoOtherEventBetweenSteps_TiesOrderedByEventId(string engine)
    {
        await using var h = await RunAsync(engine, Basic, "steps: [A, B, C], ordering: strict, window: 1d, unit_column: person");

        Assert.Equal([("(all)", 1L, 6L), ("(all)", 2L, 3L), ("(all)", 3L, 2L)], await StepsAsync(h));
        Assert.Equal(new Dictionary<string, long> { ["u1"] = 3, ["u2"] = 1, ["u3"] = 1, ["u4"] = 1, ["u5"] = 2, ["u6"] = 3 }, await FurthestAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Unordered_CountsStepsDoneInAnyOrderWithinTheWindow(string engine)
    {
        await using var h = await RunAsync(engine, Basic, "steps: [A, B, C], ordering: unordered, window: 1d, unit_column: person");

        Assert.Equal([("(all)", 1L, 6L), ("(all)", 2L, 6L), ("(all)", 3L, 3L)], await StepsAsync(h));
        Assert.Equal(new Dictionary<string, long> { ["u1"] = 3, ["u2"] = 3, ["u3"] = 2, ["u4"] = 2, ["u5"] = 2, ["u6"] = 3 }, await FurthestAsync(h));
    }

    // v1 uses a coupon and pays; v2's first add is below the filter and it pays too late for step 4's window; v3 contacts
    // support between view and add (excluded); v4 takes a coupon only after adding; v5 contacts support after adding.
    private static readonly string Options = string.Join("\n", Header,
        "v1-1,Viewed,,,2025-01-01 10:00:00,v1,web,", "v1-2,Coupon,,,2025-01-01 10:01:00,v1,web,", "v1-3,Added,,,2025-01-01 10:02:00,v1,web,20",
        "v1-4,Paid,,,2025-01-01 10:30:00,v1,email,",
        "v2-1,Viewed,,,2025-01-01 10:00:00,v2,app,", "v2-2,Added,,,2025-01-01 10:01:00,v2,app,5", "v2-3,Added,,,2025-01-01 10:03:00,v2,app,15",
        "v2-4,Paid,,,2025-01-01 12:00:00,v2,app,",
        "v3-1,Viewed,,,2025-01-01 10:00:00,v3,web,", "v3-2,Support,,,2025-01-01 10:01:00,v3,web,", "v3-3,Added,,,2025-01-01 10:02:00,v3,web,50",
        "v3-4,Paid,,,2025-01-01 10:05:00,v3,web,",
        "v4-1,Viewed,,,2025-01-01 10:00:00,v4,app,", "v4-2,Added,,,2025-01-01 10:05:00,v4,app,30", "v4-3,Coupon,,,2025-01-01 10:06:00,v4,app,",
        "v4-4,Paid,,,2025-01-01 10:10:00,v4,email,",
        "v5-1,Viewed,,,2025-01-01 10:00:00,v5,web,", "v5-2,Added,,,2025-01-01 10:05:00,v5,web,30", "v5-3,Support,,,2025-01-01 10:07:00,v5,web,",
        "v5-4,Paid,,,2025-01-01 10:20:00,v5,web,") + "\n";

    private const string OptionsWith = """steps: [Viewed, Coupon, "Added where revenue >= 10", Paid], optional_steps: [2], step_windows: { "4": 1h }, exclusions: ["1-3: Support"], window: 1d, unit_column: person, breakdown: channel""";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task OptionalStepsExclusionsStepWindowsFiltersAndFirstTouchBreakdown(string engine)
    {
        await using var h = await RunAsync(engine, Options, OptionsWith);

        Assert.Equal(
        [
            ("(all)", 1L, 4L), ("(all)", 2L, 1L), ("(all)", 3L, 4L), ("(all)", 4L, 3L),
            ("app", 1L, 2L), ("app", 2L, 0L), ("app", 3L, 2L), ("app", 4L, 1L),
            ("web", 1L, 2L), ("web", 2L, 1L), ("web", 3L, 2L), ("web", 4L, 2L),
        ], await StepsAsync(h));
        var all = (await h.RowsAsync("SELECT step, conversion_from_previous, median_seconds_to_convert FROM funnel WHERE breakdown = '(all)' ORDER BY step"))
            .Select(r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), r[1] is null ? (double?)null : Convert.ToDouble(r[1], CultureInfo.InvariantCulture),
                r[2] is null ? (double?)null : Convert.ToDouble(r[2], CultureInfo.InvariantCulture))).ToList();
        // Step 3 converts from step 1 (the optional step 2 is skipped over): 4/4; its times 120, 180, 300, 300 s.
        Assert.Equal([(1L, 1.0, null), (2L, 0.25, 60.0), (3L, 1.0, 240.0), (4L, 0.75, 900.0)], all);
        var histogram = (await h.RowsAsync("SELECT bucket_label, units FROM funnel__time_to_convert WHERE breakdown = '(all)' AND step = 4 ORDER BY bucket"))
            .Select(r => ((string)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal([("5-15 min", 1L), ("15-60 min", 2L)], histogram);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task StepAttribution_TakesTheValueOnThatStepsEvent(string engine)
    {
        await using var h = await RunAsync(engine, Options, OptionsWith + ", breakdown_attribution: step, breakdown_step: 4");

        Assert.Equal(
        [
            ("(all)", 1L, 4L), ("(all)", 2L, 1L), ("(all)", 3L, 4L), ("(all)", 4L, 3L),
            ("(none)", 1L, 1L), ("(none)", 2L, 0L), ("(none)", 3L, 1L), ("(none)", 4L, 0L),
            ("email", 1L, 2L), ("email", 2L, 1L), ("email", 3L, 2L), ("email", 4L, 2L),
            ("web", 1L, 1L), ("web", 2L, 0L), ("web", 3L, 1L), ("web", 4L, 1L),
        ], await StepsAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SameEventInConsecutiveSteps_NeedsTwoEvents(string engine)
    {
        var events = string.Join("\n", Header,
            "w1-1,A,,,2025-01-01 10:00:00,w1,,",
            "w2-1,A,,,2025-01-01 10:00:00,w2,,", "w2-2,A,,,2025-01-01 10:00:00,w2,,") + "\n";
        await using var h = await RunAsync(engine, events, "steps: [A, A], unit_column: person");

        Assert.Equal([("(all)", 1L, 2L), ("(all)", 2L, 1L)], await StepsAsync(h));
    }

    // p1 views on device d1, logs in as u1 and adds on d1, then checks out on device d2; d9 is never identified.
    private static readonly string Devices = string.Join("\n", Header,
        "e1,A,d1,,2025-01-01 10:00:00,,,", "e2,B,d1,u1,2025-01-01 10:10:00,,,", "e3,C,d2,,2025-01-01 11:00:00,,,",
        "e4,A,d1,,2025-01-01 13:00:00,,,", "e5,A,d9,,2025-01-01 10:00:00,,,") + "\n";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task PerPerson_FollowsTheIdentityGraphAcrossDevices(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events.csv", Devices);
        h.Temp.File("identity.csv", "identifier_type,identifier_value,profile_id\nanonymous_id,d1,p1\nuser_id,u1,p1\nanonymous_id,d2,p1\n");
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: events, type: source.csv, with: { path: events.csv, columns: {{Columns}} } }
              - { id: identity_graph, type: source.csv, with: { path: identity.csv, columns: { identifier_type: VARCHAR, identifier_value: VARCHAR, profile_id: VARCHAR } } }
              - { id: funnel, type: analytics.funnel, inputs: [events, identity_graph], with: { steps: [A, B, C], window: 1d } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal([("(all)", 1L, 2L), ("(all)", 2L, 1L), ("(all)", 3L, 1L)], await StepsAsync(h));
        Assert.Equal(new Dictionary<string, long> { ["p1"] = 3, ["d9"] = 1 }, await FurthestAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task PerSession_SplitsAVisitorsEventsAtTheSessionGap(string engine)
    {
        await using var h = await RunAsync(engine, Devices, "steps: [A, B, C], window: 1d, unit: session");

        Assert.Equal([("(all)", 1L, 3L), ("(all)", 2L, 1L), ("(all)", 3L, 0L)], await StepsAsync(h));
        Assert.Equal(new Dictionary<string, long> { ["d1#1"] = 2, ["d1#2"] = 1, ["d9#1"] = 1 }, await FurthestAsync(h));
    }

    // Sessions are cut from all of a visitor's events (X too), while the chain plans number only the steps' events: the
    // same funnel over sessions cut by hand here (a gap of more than 30 minutes, exactly 30 is not one; events at one
    // instant share a session) must count the same units, unit by unit.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task PerSession_CountsAsOverSessionsCutByHand(string engine)
    {
        var random = new Random(31);
        var rows = new List<string> { Header };
        int[] gaps = [0, 0, 5, 20, 30, 31, 90];
        for (var v = 0; v < 10; v++)
        {
            var at = new DateTime(2025, 1, 1);
            var session = 1;
            for (var e = 0; e < 40; e++)
            {
                var gap = gaps[random.Next(gaps.Length)];
                if (e > 0 && gap > 30) session++;
                at = at.AddMinutes(e == 0 ? 0 : gap);
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"v{v}-{e:D2},{"ABCDXX"[random.Next(6)]},v{v},,{at:yyyy-MM-dd HH:mm:ss},v{v}#{session},{(random.Next(2) == 0 ? "web" : "app")},"));
            }
        }
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events.csv", string.Join("\n", rows) + "\n");
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: events, type: source.csv, with: { path: events.csv, columns: {{Columns}} } }
              - { id: sessions, type: analytics.funnel, inputs: [events], with: { steps: [A, B, C, D], window: 1h, unit: session, breakdown: channel } }
              - { id: by_hand, type: analytics.funnel, inputs: [events], with: { steps: [A, B, C, D], window: 1h, unit_column: person, breakdown: channel } }
            """);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);

        const string Units = "SELECT unit, breakdown, entered_at, furthest_step, converted, converted_at, step_1_at, step_2_at, step_3_at, step_4_at FROM {0}__units ORDER BY unit";
        var sessions = await h.RowsAsync(string.Format(CultureInfo.InvariantCulture, Units, "sessions"));
        var byHand = await h.RowsAsync(string.Format(CultureInfo.InvariantCulture, Units, "by_hand"));
        Assert.True(sessions.Count > 30, $"{sessions.Count} sessions entered");
        Assert.Contains(sessions, r => Convert.ToInt64(r[3], CultureInfo.InvariantCulture) >= 3);
        Assert.Equal(byHand.Select(r => string.Join("|", r)), sessions.Select(r => string.Join("|", r)));
    }

    // x1's earliest B is 80 minutes before C, past step 3's hour (a later B would have been in time: greedy stops);
    // x2 goes through; x3's B ties with A and C comes exactly an hour after B. Distinct step names: the backward-chain plan.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task StepWindow_CutsTheGreedyChain_OnTheBackwardChainPlan(string engine)
    {
        var events = string.Join("\n", Header,
            "x1-1,A,,,2025-01-01 10:00:00,x1,,", "x1-2,B,,,2025-01-01 10:10:00,x1,,", "x1-3,B,,,2025-01-01 11:00:00,x1,,", "x1-4,C,,,2025-01-01 11:30:00,x1,,",
            "x2-1,A,,,2025-01-01 10:00:00,x2,,", "x2-2,B,,,2025-01-01 10:10:00,x2,,", "x2-3,C,,,2025-01-01 10:40:00,x2,,",
            "x3-1,B,,,2025-01-01 10:00:00,x3,,", "x3-2,A,,,2025-01-01 10:00:00,x3,,", "x3-3,C,,,2025-01-01 11:00:00,x3,,") + "\n";
        const string With = """steps: [A, B, C], step_windows: { "3": 1h }, window: 1d, unit_column: person""";
        Assert.True(Funnel.ChainsBackward(new FunnelParameters { Steps = ["A", "B", "C"], StepWindows = new Dictionary<string, string> { ["3"] = "1h" } }));
        await using var h = await RunAsync(engine, events, With);

        Assert.Equal([("(all)", 1L, 3L), ("(all)", 2L, 3L), ("(all)", 3L, 2L)], await StepsAsync(h));
        Assert.Equal(new Dictionary<string, long> { ["x1"] = 2, ["x2"] = 3, ["x3"] = 3 }, await FurthestAsync(h));
    }

    // Step-1 events at one instant share a chain: t1 enters twice at 10:00 (t1-2 on app, t1-1 on web) and once more at
    // 10:30, and all three reach C; the unit counts once, entering at 10:00 with the web value (event t1-1, the smaller
    // id). t2 ties at 10:00 too, but only its 11:00 entry reaches C, so it enters at 11:00 with that entry's value.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task TiedEntries_CountOnce_WithTheSmallestIdsBreakdown_OnTheBackwardChainPlan(string engine)
    {
        var events = string.Join("\n", Header,
            "t1-2,A,,,2025-01-01 10:00:00,t1,app,", "t1-1,A,,,2025-01-01 10:00:00,t1,web,", "t1-3,A,,,2025-01-01 10:30:00,t1,tv,",
            "t1-4,B,,,2025-01-01 11:00:00,t1,,", "t1-5,C,,,2025-01-01 12:00:00,t1,,",
            "t2-1,A,,,2025-01-01 10:00:00,t2,web,", "t2-2,A,,,2025-01-01 10:00:00,t2,app,", "t2-3,A,,,2025-01-03 11:00:00,t2,tv,",
            "t2-4,B,,,2025-01-03 11:30:00,t2,,", "t2-5,C,,,2025-01-03 12:00:00,t2,,") + "\n";
        const string With = "steps: [A, B, C], window: 1d, unit_column: person, breakdown: channel";
        Assert.True(Funnel.ChainsBackward(new FunnelParameters { Steps = ["A", "B", "C"], Breakdown = "channel" }));
        await using var h = await RunAsync(engine, events, With);

        Assert.Equal(["t1|web|2025-01-01 10:00:00|3", "t2|tv|2025-01-03 11:00:00|3"],
            (await h.RowsAsync("SELECT unit, breakdown, entered_at, furthest_step FROM funnel__units ORDER BY unit"))
                .Select(r => string.Create(CultureInfo.InvariantCulture, $"{r[0]}|{r[1]}|{(DateTime)r[2]!:yyyy-MM-dd HH:mm:ss}|{r[3]}")));
        Assert.Contains(("web", 3L, 1L), await StepsAsync(h));
        Assert.Contains(("tv", 3L, 1L), await StepsAsync(h));
    }

    // The backward-chain plan (distinct step names, first touch) must count exactly as the general ordered plan, which
    // step attribution of step 1 (the same value as first touch) selects: a pseudo-random stream with many ties, repeats,
    // entries that time out, a step filter and a step window, compared unit by unit, time by time.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public Task BackwardChainPlan_CountsAsTheGeneralOrderedPlan(string engine) =>
        CountsAsTheGeneralOrderedPlanAsync(engine, """steps: [A, "B where revenue >= 5", C, D], step_windows: { "3": 3h }, window: 1d, unit_column: person, breakdown: channel""", 17);

    // Without step windows DuckDB takes the latest-start plan (hash joins on the unit and the window's time bucket):
    // the same comparison, with a window of 1 day over events spread across 100 hours, so that attempts cross the
    // buckets' edges and many time out, and a second stream with a 5-hour window.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task LatestStartPlan_CountsAsTheGeneralOrderedPlan(string engine)
    {
        await CountsAsTheGeneralOrderedPlanAsync(engine, """steps: [A, "B where revenue >= 5", C, D], window: 1d, unit_column: person, breakdown: channel""", 17);
        await CountsAsTheGeneralOrderedPlanAsync(engine, """steps: [A, B, C, D], window: 5h, unit_column: person, breakdown: channel""", 23);
    }

    private async Task CountsAsTheGeneralOrderedPlanAsync(string engine, string with, int seed)
    {
        var random = new Random(seed);
        var rows = new List<string> { Header };
        for (var u = 0; u < 12; u++)
            for (var e = 0; e < 40; e++)
            {
                var at = new DateTime(2025, 1, 1).AddMinutes(30 * random.Next(0, 200));
                rows.Add(string.Create(CultureInfo.InvariantCulture,
                    $"r{u}-{e},{"ABCDX"[random.Next(5)]},,,{at:yyyy-MM-dd HH:mm:ss},r{u},{(random.Next(2) == 0 ? "web" : "app")},{random.Next(20)}"));
            }
        var general = with + ", breakdown_attribution: step, breakdown_step: 1";
        string[] steps = ["A", "B where revenue >= 5", "C", "D"];
        Assert.True(Funnel.ChainsBackward(new FunnelParameters { Steps = steps, Breakdown = "channel" }));
        Assert.False(Funnel.ChainsBackward(new FunnelParameters { Steps = steps, Breakdown = "channel", BreakdownAttribution = BreakdownAttribution.Step, BreakdownStep = 1 }));
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events.csv", string.Join("\n", rows) + "\n");
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: events, type: source.csv, with: { path: events.csv, columns: {{Columns}} } }
              - { id: chained, type: analytics.funnel, inputs: [events], with: { {{with}} } }
              - { id: general, type: analytics.funnel, inputs: [events], with: { {{general}} } }
            """);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);

        const string Units = "SELECT unit, breakdown, entered_at, furthest_step, converted, converted_at, step_1_at, step_2_at, step_3_at, step_4_at FROM {0}__units ORDER BY unit";
        var chained = await h.RowsAsync(string.Format(CultureInfo.InvariantCulture, Units, "chained"));
        var expected = await h.RowsAsync(string.Format(CultureInfo.InvariantCulture, Units, "general"));
        Assert.Equal(12, chained.Count);
        Assert.Contains(chained, r => Convert.ToInt64(r[3], CultureInfo.InvariantCulture) == 4);
        Assert.Contains(chained, r => Convert.ToInt64(r[3], CultureInfo.InvariantCulture) < 4);
        Assert.Equal(expected.Select(r => string.Join("|", r)), chained.Select(r => string.Join("|", r)));
        Assert.Equal(await h.RowsAsync("SELECT breakdown, step, units, median_seconds_to_convert FROM general ORDER BY breakdown, step"),
            await h.RowsAsync("SELECT breakdown, step, units, median_seconds_to_convert FROM chained ORDER BY breakdown, step"));
    }
}
