using System.Globalization;
using Tributary.Components.Funnels;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Funnels;

/// <summary>Retention, paths, correlation and opportunities on hand-made streams with hand-counted answers.</summary>
public sealed class JourneyAnalyticsTests(PostgresCluster postgres)
{
    private const string Columns = "{ event_id: VARCHAR, event: VARCHAR, anonymous_id: VARCHAR, user_id: VARCHAR, occurred_at: TIMESTAMP, person: VARCHAR, channel: VARCHAR, url: VARCHAR }";
    private const string Header = "event_id,event,anonymous_id,user_id,occurred_at,person,channel,url";

    private static string Pipeline(string components) => $$"""
        pipeline: p
        components:
          - { id: events, type: source.csv, with: { path: events.csv, columns: {{Columns}} } }
        {{components}}
        """;

    private async Task<ComponentHarness> RunAsync(string engine, string events, string components)
    {
        var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events.csv", events);
        var result = await h.RunAsync(Pipeline(components));
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        return h;
    }

    private static long L(object? v) => Convert.ToInt64(v, CultureInfo.InvariantCulture);

    // r1 starts on day 1 and returns on days 2 and 4; r2 starts on day 1 and returns on day 3; r3 returns before it starts
    // (not counted), starts on day 2, returns the same day (period 0) and on day 3. The data ends at 10:00 on day 4.
    private static readonly string RetentionEvents = string.Join("\n", Header,
        "1,A,,,2025-01-01 10:00:00,r1,,", "2,X,,,2025-01-02 10:00:00,r1,,", "3,X,,,2025-01-04 10:00:00,r1,,",
        "4,A,,,2025-01-01 23:00:00,r2,,", "5,X,,,2025-01-03 01:00:00,r2,,",
        "6,X,,,2025-01-01 10:00:00,r3,,", "7,A,,,2025-01-02 10:00:00,r3,,", "8,X,,,2025-01-02 11:00:00,r3,,", "9,X,,,2025-01-03 10:00:00,r3,,") + "\n";

    // The same, with one more event at midnight after day 4: the data ends as day 4 does, so day 4 is complete.
    private static readonly string RetentionEventsToDay5 = RetentionEvents + "10,Y,,,2025-01-05 00:00:00,r4,,\n";

    [Theory]
    [InlineData("duckdb", "n_day", new long[] { 2, 1, 1, 1, 1, 1, 0 })]
    [InlineData("postgres", "n_day", new long[] { 2, 1, 1, 1, 1, 1, 0 })]
    [InlineData("duckdb", "unbounded", new long[] { 2, 2, 2, 1, 1, 1, 0 })]
    [InlineData("postgres", "unbounded", new long[] { 2, 2, 2, 1, 1, 1, 0 })]
    public async Task Retention_DailyCohorts_NDayAndUnbounded(string engine, string mode, long[] retained)
    {
        await using var h = await RunAsync(engine, RetentionEventsToDay5,
            $"  - {{ id: retention, type: analytics.retention, inputs: [events], with: {{ start_event: A, return_event: X, period: day, periods: 5, mode: {mode}, unit_column: person }} }}");

        var rows = (await h.RowsAsync("SELECT cohort, period, cohort_size, retained FROM retention ORDER BY cohort, period"))
            .Select(r => (((DateTime)r[0]!).Day, L(r[1]), L(r[2]), L(r[3]))).ToList();
        // Day-1 cohort (2 people) has periods 0-3 before the data ends; the day-2 cohort (1 person) periods 0-2.
        Assert.Equal([(1, 0L, 2L, retained[0]), (1, 1L, 2L, retained[1]), (1, 2L, 2L, retained[2]), (1, 3L, 2L, retained[3]),
                      (2, 0L, 1L, retained[4]), (2, 1L, 1L, retained[5]), (2, 2L, 1L, retained[6])], rows);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Retention_DataEndingInsideAPeriod_LeavesThatPeriodOut(string engine)
    {
        await using var h = await RunAsync(engine, RetentionEvents,
            "  - { id: retention, type: analytics.retention, inputs: [events], with: { start_event: A, return_event: X, period: day, periods: 5, unit_column: person } }");

        var rows = (await h.RowsAsync("SELECT cohort, period, cohort_size, retained FROM retention ORDER BY cohort, period"))
            .Select(r => (((DateTime)r[0]!).Day, L(r[1]), L(r[2]), L(r[3]))).ToList();
        // Day 4 holds ten hours of data: not a period to report, where r3's day-2 cohort would read 0 for it.
        Assert.Equal([(1, 0L, 2L, 2L), (1, 1L, 2L, 1L), (1, 2L, 2L, 1L), (2, 0L, 1L, 1L), (2, 1L, 1L, 1L)], rows);
    }

    // s1 views a product twice in a row; s2 goes home twice; s3 never goes home; s4 leaves at once.
    private static readonly string PathEvents = string.Join("\n", Header,
        "1,Home,,,2025-01-01 10:00:00,s1,,/", "2,View,,,2025-01-01 10:01:00,s1,,/products/abc?ref=x", "3,View,,,2025-01-01 10:02:00,s1,,/products/def",
        "4,Add,,,2025-01-01 10:03:00,s1,,/cart", "5,Paid,,,2025-01-01 10:04:00,s1,,/thanks",
        "6,Home,,,2025-01-01 10:00:00,s2,,/", "7,View,,,2025-01-01 10:01:00,s2,,/products/abc", "8,Home,,,2025-01-01 10:02:00,s2,,/", "9,View,,,2025-01-01 10:03:00,s2,,/products/x",
        "10,View,,,2025-01-01 10:00:00,s3,,/products/abc", "11,Add,,,2025-01-01 10:01:00,s3,,/cart", "12,Paid,,,2025-01-01 10:02:00,s3,,/thanks",
        "13,Home,,,2025-01-01 10:00:00,s4,,/") + "\n";

    private static async Task<List<(long, string, string, long)>> EdgesAsync(ComponentHarness h) =>
        (await h.RowsAsync("SELECT depth, source, target, units FROM paths ORDER BY depth, source, target")).Select(r => (L(r[0]), (string)r[1]!, (string)r[2]!, L(r[3]))).ToList();

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Paths_NextStepTreeFromAStartEvent_CollapsesRepeats(string engine)
    {
        await using var h = await RunAsync(engine, PathEvents,
            "  - { id: paths, type: journey.paths, inputs: [events], with: { start_event: Home, max_steps: 3, unit_column: person } }");

        Assert.Equal([(1L, "Home", "(end)", 1L), (1L, "Home", "View", 2L), (2L, "View", "Add", 1L), (2L, "View", "Home", 1L)], await EdgesAsync(h));
        var top = (await h.RowsAsync("SELECT rank, path, units FROM paths__paths ORDER BY rank")).Select(r => (L(r[0]), (string)r[1]!, L(r[2]))).ToList();
        Assert.Equal([(1L, "Home", 1L), (2L, "Home > View > Add", 1L), (3L, "Home > View > Home", 1L)], top);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Paths_WithoutCollapsing_KeepsTheRepeat(string engine)
    {
        await using var h = await RunAsync(engine, PathEvents,
            "  - { id: paths, type: journey.paths, inputs: [events], with: { start_event: Home, max_steps: 3, collapse_repeats: false, unit_column: person } }");

        Assert.Equal([(1L, "Home", "(end)", 1L), (1L, "Home", "View", 2L), (2L, "View", "Home", 1L), (2L, "View", "View", 1L)], await EdgesAsync(h));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Paths_PreviousStepTreeToAnEndEvent(string engine)
    {
        await using var h = await RunAsync(engine, PathEvents,
            "  - { id: paths, type: journey.paths, inputs: [events], with: { end_event: Paid, max_steps: 3, unit_column: person } }");

        Assert.Equal([(1L, "Add", "Paid", 2L), (2L, "View", "Add", 2L)], await EdgesAsync(h));
        var top = (await h.RowsAsync("SELECT path, units FROM paths__paths")).Select(r => ((string)r[0]!, L(r[1]))).ToList();
        Assert.Equal([("View > Add > Paid", 2L)], top);
    }

    // u1's end is a repeat of the step before it: collapsed away, it still ends the path (Paid is not reached). u2 passes
    // its start event again (no new path) and is cut at its end; u3 has no start; u4 has no end and is cut at max_steps.
    private static readonly string CutEvents = string.Join("\n", Header,
        "1,View,,,2025-01-01 10:00:00,u1,,", "2,Home,,,2025-01-01 10:01:00,u1,,", "3,Add,,,2025-01-01 10:02:00,u1,,/cart", "4,Add,,,2025-01-01 10:03:00,u1,,/done",
        "5,Paid,,,2025-01-01 10:04:00,u1,,",
        "6,Home,,,2025-01-01 10:00:00,u2,,", "7,View,,,2025-01-01 10:01:00,u2,,", "8,Home,,,2025-01-01 10:02:00,u2,,", "9,Add,,,2025-01-01 10:03:00,u2,,/done",
        "10,View,,,2025-01-01 10:04:00,u2,,",
        "11,View,,,2025-01-01 10:00:00,u3,,", "12,Add,,,2025-01-01 10:01:00,u3,,/done",
        "13,Home,,,2025-01-01 10:00:00,u4,,", "14,View,,,2025-01-01 10:01:00,u4,,", "15,View,,,2025-01-01 10:02:00,u4,,", "16,Add,,,2025-01-01 10:03:00,u4,,/cart",
        "17,Paid,,,2025-01-01 10:04:00,u4,,", "18,Home,,,2025-01-01 10:05:00,u4,,") + "\n";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Paths_FromAStartToTheFirstEndAfterIt_ARepeatedEndStillCuts(string engine)
    {
        await using var h = await RunAsync(engine, CutEvents,
            "  - { id: paths, type: journey.paths, inputs: [events], with: { start_event: Home, end_event: Add where url = /done, max_steps: 4, unit_column: person } }");

        Assert.Equal([(1L, "Home", "Add", 1L), (1L, "Home", "View", 2L), (2L, "Add", "(end)", 1L), (2L, "View", "Add", 1L), (2L, "View", "Home", 1L),
            (3L, "Add", "Paid", 1L), (3L, "Home", "Add", 1L)], await EdgesAsync(h));
        var top = (await h.RowsAsync("SELECT rank, path, steps, units FROM paths__paths ORDER BY rank")).Select(r => (L(r[0]), (string)r[1]!, L(r[2]), L(r[3]))).ToList();
        Assert.Equal([(1L, "Home > Add", 2L, 1L), (2L, "Home > View > Add > Paid", 4L, 1L), (3L, "Home > View > Home > Add", 4L, 1L)], top);
        // The steps' work table is gone (from this test's schema: PostgreSQL tests share a database, one schema each).
        Assert.Empty(await h.RowsAsync(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE '%paths%' AND table_name NOT IN ('paths', 'paths__paths')"));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Paths_GroupUrlsByPattern(string engine)
    {
        await using var h = await RunAsync(engine, PathEvents, """
              - id: paths
                type: journey.paths
                inputs: [events]
                with: { label_column: url, group_patterns: { "\\?.*$": "", "/products/[^/]+": "/products/:id" }, unit_column: person }
            """);

        var top = (await h.RowsAsync("SELECT path, units FROM paths__paths ORDER BY units DESC, path")).Select(r => ((string)r[0]!, L(r[1]))).ToList();
        Assert.Equal([("/", 1L), ("/ > /products/:id > / > /products/:id", 1L), ("/ > /products/:id > /cart > /thanks", 1L), ("/products/:id > /cart > /thanks", 1L)], top);
    }

    // Funnel A -> C. Converters c1-c4, drop-offs d1-d4. Help: c1, d1, d2, d3. Promo: c1, c2, c3 (before converting) and d1.
    // Late: after c2's and c3's conversion only (not counted). Channel on A: ads for c1-c3, seo for the rest.
    private static readonly string CorrelationEvents = string.Join("\n", new[] { Header }
        .Concat(new[] { "c1", "c2", "c3", "c4", "d1", "d2", "d3", "d4" }.SelectMany((u, i) => new[] { $"{u}-a,A,,,2025-01-01 10:00:00,{u},{(i < 3 ? "ads" : "seo")}," }))
        .Concat(new[] { "c1", "c2", "c3", "c4" }.Select(u => $"{u}-c,C,,,2025-01-01 12:00:00,{u},,"))
        .Concat(new[] { "c1", "d1", "d2", "d3" }.Select(u => $"{u}-h,Help,,,2025-01-01 11:00:00,{u},,"))
        .Concat(new[] { "c1", "c2", "c3", "d1" }.Select(u => $"{u}-p,Promo,,,2025-01-01 11:30:00,{u},,"))
        .Concat(new[] { "c2", "c3" }.Select(u => $"{u}-l,Late,,,2025-01-01 13:00:00,{u},,"))) + "\n";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Correlation_OddsRatiosOfEventsAndValues_BetweenEntryAndConversion(string engine)
    {
        await using var h = await RunAsync(engine, CorrelationEvents, """
              - { id: funnel, type: analytics.funnel, inputs: [events], with: { steps: [A, C], window: 1d, unit_column: person } }
              - { id: correlation, type: analytics.funnel_correlation, inputs: [funnel, events], with: { window: 1d, unit_column: person, properties: [channel], exclude_events: [A, C], min_units: 2 } }
            """);

        var rows = (await h.RowsAsync("SELECT kind, item, converters, drop_offs, odds_ratio, ci_low, ci_high, p_value, direction FROM correlation ORDER BY kind, item"))
            .Select(r => ((string)r[0]!, (string)r[1]!, L(r[2]), L(r[3]), Convert.ToDouble(r[4], CultureInfo.InvariantCulture), Convert.ToDouble(r[5], CultureInfo.InvariantCulture),
                Convert.ToDouble(r[6], CultureInfo.InvariantCulture), Convert.ToDouble(r[7], CultureInfo.InvariantCulture), (string)r[8]!)).ToList();
        Assert.Equal(["event:Help", "event:Promo", "property:channel=ads", "property:channel=seo"], rows.Select(r => r.Item1 + ":" + r.Item2));
        Assert.Equal([(1L, 3L), (3L, 1L), (3L, 0L), (1L, 4L)], rows.Select(r => (r.Item3, r.Item4)));
        Assert.Equal([0.25, 4.0, 10.0, 0.1], rows.Select(r => Math.Round(r.Item5, 9)));
        Assert.Equal(0.0226692, rows[0].Item6, 1e-6);
        Assert.Equal(2.7570506, rows[0].Item7, 1e-6);
        Assert.Equal(0.2576745, rows[0].Item8, 1e-6);
        Assert.Equal(["failure", "success", "success", "failure"], rows.Select(r => r.Item9));
    }

    // The required steps' times give the spans; an optional step between them moves nothing: A -> C as in the test above.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Correlation_OptionalStepBetween_SpansRunBetweenTheRequiredSteps(string engine)
    {
        await using var h = await RunAsync(engine, CorrelationEvents, """
              - { id: funnel, type: analytics.funnel, inputs: [events], with: { steps: [A, Help, C], optional_steps: [2], window: 1d, unit_column: person } }
              - { id: correlation, type: analytics.funnel_correlation, inputs: [funnel, events], with: { window: 1d, unit_column: person, exclude_events: [A, C], min_units: 2 } }
            """);

        var rows = (await h.RowsAsync("SELECT step, item, converters, drop_offs FROM correlation ORDER BY item"))
            .Select(r => (L(r[0]), (string)r[1]!, L(r[2]), L(r[3]))).ToList();
        Assert.Equal([(3L, "Help", 1L, 3L), (3L, "Promo", 3L, 1L)], rows);
    }

    // Funnel A -> B -> C. Exp is shown to whoever reaches B, just after it (as the demo's experiment at checkout): c1-c3
    // go on to C, b1-b3 stop at B, a1-a2 stop at A. Help comes before B for c1, b1 and a1.
    private static readonly string PastStepEvents = string.Join("\n", new[] { Header }
        .Concat(new[] { "c1", "c2", "c3", "b1", "b2", "b3", "a1", "a2" }.Select(u => $"{u}-a,A,,,2025-01-01 10:00:00,{u},,"))
        .Concat(new[] { "c1", "c2", "c3", "b1", "b2", "b3" }.SelectMany(u => new[] { $"{u}-b,B,,,2025-01-01 10:10:00,{u},,", $"{u}-x,Exp,,,2025-01-01 10:11:00,{u},," }))
        .Concat(new[] { "c1", "c2", "c3" }.Select(u => $"{u}-c,C,,,2025-01-01 10:20:00,{u},,"))
        .Concat(new[] { "c1", "b1", "a1" }.Select(u => $"{u}-h,Help,,,2025-01-01 10:05:00,{u},,"))) + "\n";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Correlation_AnEventOnlyPastAStep_DoesNotPredictReachingIt(string engine)
    {
        await using var h = await RunAsync(engine, PastStepEvents, """
              - { id: funnel, type: analytics.funnel, inputs: [events], with: { steps: [A, B, C], window: 1d, unit_column: person } }
              - { id: correlation, type: analytics.funnel_correlation, inputs: [funnel, events], with: { window: 1d, unit_column: person, exclude_events: [A, B, C], min_units: 2 } }
            """);

        var rows = (await h.RowsAsync("SELECT step, step_name, item, converters, drop_offs, odds_ratio FROM correlation ORDER BY step, item"))
            .Select(r => (L(r[0]), (string)r[1]!, (string)r[2]!, L(r[3]), L(r[4]), Math.Round(Convert.ToDouble(r[5], CultureInfo.InvariantCulture), 9))).ToList();
        // Step B: of all 8, 6 reach it; Help before it for 2 of them and 1 of the 2 others; Exp comes only after B, so not here.
        // Step C: of the 6 at B, everyone saw Exp, converters or not: odds ratio (4/1)/(4/1) = 1 instead of (4/1)/(4/3) = 3 over all entrants.
        Assert.Equal([(2L, "B", "Help", 2L, 1L, 0.6), (3L, "C", "Exp", 3L, 3L, 1.0)], rows);
    }

    // Unordered funnel of A, B and C. u1 does B, Help, C, A; u2 does C, A, Promo, B; u3 does A, Promo and stops (one
    // step); u4 does C, Help, A and stops (two steps). Reaching "i of 3 steps" happens at a unit's i-th distinct step.
    private static readonly string UnorderedEvents = string.Join("\n", Header,
        "1,B,,,2025-01-01 10:00:00,u1,,", "2,Help,,,2025-01-01 10:30:00,u1,,", "3,C,,,2025-01-01 11:00:00,u1,,", "4,A,,,2025-01-01 12:00:00,u1,,",
        "5,C,,,2025-01-01 10:00:00,u2,,", "6,A,,,2025-01-01 10:10:00,u2,,", "7,Promo,,,2025-01-01 10:20:00,u2,,", "8,B,,,2025-01-01 10:30:00,u2,,",
        "9,A,,,2025-01-01 10:00:00,u3,,", "10,Promo,,,2025-01-01 10:20:00,u3,,",
        "11,C,,,2025-01-01 10:00:00,u4,,", "12,Help,,,2025-01-01 10:05:00,u4,,", "13,A,,,2025-01-01 10:30:00,u4,,") + "\n";

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Correlation_UnorderedFunnel_SpansRunBetweenTheUnitsDistinctSteps(string engine)
    {
        await using var h = await RunAsync(engine, UnorderedEvents, """
              - { id: funnel, type: analytics.funnel, inputs: [events], with: { steps: [A, B, C], ordering: unordered, window: 1d, unit_column: person } }
              - { id: correlation, type: analytics.funnel_correlation, inputs: [funnel, events], with: { window: 1d, unit_column: person, exclude_events: [A, B, C], min_units: 1 } }
            """);

        var rows = (await h.RowsAsync("SELECT step, item, converters, drop_offs, odds_ratio FROM correlation ORDER BY step, item"))
            .Select(r => (L(r[0]), (string)r[1]!, L(r[2]), L(r[3]), Math.Round(Convert.ToDouble(r[4], CultureInfo.InvariantCulture), 9))).ToList();
        // Step 2 (u1, u2, u4 of 4 do a second step): spans from the first step to the second, u1 10:00-11:00 (Help),
        // u2 10:00-10:10, u4 10:00-10:30 (Help); u3 drops off, its Promo counted to the window's end. Help (2 of 3 | 0 of 1):
        // (3/2)/(1/2) = 3; Promo (0 of 3 | 1 of 1): (1/4)/(2/1) = 0.125. Step 3 (u1, u2 of u1, u2, u4): u1 11:00-12:00,
        // u2 10:10-10:30 (Promo), u4 from 10:30 on (its Help came before). Promo (1 of 2 | 0 of 1): (2/2)/(1/2) = 2.
        // Step 2's and 3's own times (B, then C) would give Promo at step 2 and Help at step 3 instead.
        Assert.Equal([(2L, "Help", 2L, 0L, 3.0), (2L, "Promo", 0L, 1L, 0.125), (3L, "Promo", 1L, 0L, 2.0)], rows);
    }

    // Three steps over all units and two segments: app converts worse at step 2, web at step 3.
    private static readonly ConversionOpportunities.FunnelRow[] SegmentedFunnel =
    [
        new("(all)", 1, "S1", false, 1000), new("(all)", 2, "S2", false, 400), new("(all)", 3, "S3", false, 100),
        new("app", 1, "S1", false, 500), new("app", 2, "S2", false, 100), new("app", 3, "S3", false, 30),
        new("web", 1, "S1", false, 500), new("web", 2, "S2", false, 300), new("web", 3, "S3", false, 70),
    ];

    [Fact]
    public void Opportunities_RankDropOffsByValue_TestSegmentsWithHolm()
    {
        var rows = SegmentedFunnel;

        var findings = ConversionOpportunities.Analyse(rows, new ConversionOpportunitiesParameters { ConversionValue = 10, UnitName = "sessions", RecoverableShare = 1 });

        Assert.Equal(["drop_off 3 ", "drop_off 2 ", "segment 2 app", "segment 2 web", "segment 3 web", "segment 3 app"],
            findings.Select(f => $"{f.Kind} {f.Step} {f.Segment}"));
        // With every lost unit won back: step 3 loses 300 sessions, all converting once there: 3000. Step 2 loses 600 at 25% onward: 1500.
        Assert.Equal([3000.0, 1500.0, 500.0, -500.0, 200.0], findings.Take(5).Select(f => Math.Round(f.ValueLost, 6)));
        // Step 3: 30/100 against 70/300, z = 1.3333, p = 0.18242; Holm multiplies the third and fourth smallest of four by 2.
        Assert.Equal(0.182422, findings[4].PValue!.Value, 1e-5);
        Assert.Equal(0.364844, findings[4].AdjustedPValue!.Value, 1e-5);
        Assert.Equal([true, true, false, false], findings.Skip(2).Select(f => f.Significant!.Value));
        Assert.Equal("600 of 1,000 sessions (60.0%) stop between 'S1' and 'S2'. Winning back 100.0% of them (600 sessions reaching 'S2', of whom 25.0% would convert, as of those who reach it) would bring about 1,500 in conversion value; valued alone, not to be added to the other findings.", findings[1].Text);
        Assert.StartsWith("app: 20.0% of 500 sessions go from 'S1' to 'S2' against 60.0% for the rest (worse; p = ", findings[2].Text, StringComparison.Ordinal);
        Assert.EndsWith("after Holm, significant); the gap is 200 sessions, and closing 100.0% of it would bring about 500, part of the step's drop-off, not in addition to it.", findings[2].Text, StringComparison.Ordinal);
    }

    // A segment's gap was valued whole while drop-offs were valued at the recoverable share, so with the default share a
    // segment outranked the drop-off it is part of.
    [Fact]
    public void Opportunities_SegmentGaps_ValuedAtTheSameRecoverableShare_RankBelowTheirDropOff()
    {
        var rows = SegmentedFunnel;

        var findings = ConversionOpportunities.Analyse(rows, new ConversionOpportunitiesParameters { ConversionValue = 10, UnitName = "sessions" });

        Assert.Equal(["drop_off 3 ", "drop_off 2 ", "segment 2 app"], findings.Take(3).Select(f => $"{f.Kind} {f.Step} {f.Segment}"));
        Assert.Equal([300.0, 150.0, 50.0], findings.Take(3).Select(f => Math.Round(f.ValueLost, 6)));
        Assert.EndsWith("the gap is 200 sessions, and closing 10.0% of it would bring about 50, part of the step's drop-off, not in addition to it.", findings[2].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Opportunities_DropOffs_ValuedAtTheRecoverableShare_NotAtEveryLostUnit()
    {
        // The demo store's funnel: 12,170 sessions start checkout and 5,120 complete an order worth 60 (307,200 in all).
        ConversionOpportunities.FunnelRow R(int step, long units) => new("(all)", step, $"S{step}", false, units);
        var rows = new[] { R(1, 40000), R(2, 20000), R(3, 12170), R(4, 5120) };

        var findings = ConversionOpportunities.Analyse(rows, new ConversionOpportunitiesParameters { ConversionValue = 60, UnitName = "sessions" });

        // 10% of the 7,050 lost at the last step would be 705 orders: 42,300; of the 20,000 lost before step 2, 2,000 reach it and 25.6% of those order.
        Assert.Equal([42300.0, 30720.0, 19765.0], findings.Select(f => Math.Round(f.ValueLost)));
        Assert.True(findings.Max(f => f.ValueLost) < 5120 * 60.0, "a drop-off's value exceeds every conversion's");
        Assert.Equal("7,050 of 12,170 sessions (57.9%) stop between 'S3' and 'S4'. Winning back 10.0% of them (705 sessions reaching 'S4', each a conversion) would bring about 42,300 in conversion value; valued alone, not to be added to the other findings.", findings[0].Text);
    }

    [Fact]
    public void Opportunities_Currency_NamedAfterEveryAmountInTheFindings()
    {
        var findings = ConversionOpportunities.Analyse(SegmentedFunnel, new ConversionOpportunitiesParameters { ConversionValue = 10, UnitName = "sessions", Currency = "usd" });

        Assert.EndsWith("would bring about 300 USD in conversion value; valued alone, not to be added to the other findings.", findings[0].Text, StringComparison.Ordinal);
        Assert.EndsWith("the gap is 200 sessions, and closing 10.0% of it would bring about 50 USD, part of the step's drop-off, not in addition to it.", findings[2].Text, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Opportunities_ReadTheFunnelTable(string engine)
    {
        await using var h = await RunAsync(engine, CorrelationEvents, """
              - { id: funnel, type: analytics.funnel, inputs: [events], with: { steps: [A, Help, C], optional_steps: [2], window: 1d, unit_column: person, breakdown: channel } }
              - { id: opportunities, type: analytics.conversion_opportunities, inputs: [funnel], with: { conversion_value: 20, min_units: 1, recoverable_share: 0.25 } }
            """);

        var rows = (await h.RowsAsync("SELECT rank, kind, step, segment, lost_units, value_lost FROM opportunities ORDER BY rank"))
            .Select(r => (L(r[0]), (string)r[1]!, L(r[2]), r[3] as string, Convert.ToDouble(r[4], CultureInfo.InvariantCulture), Convert.ToDouble(r[5], CultureInfo.InvariantCulture))).ToList();
        // 8 enter, 4 convert: 4 lost at step 3 (the optional step 2 is not a drop-off); a quarter of them won back, each worth 20.
        Assert.Equal((1L, "drop_off", 3L, (string?)null, 4.0, 20.0), rows[0]);
        Assert.Equal(["ads", "seo"], rows.Skip(1).Select(r => r.Item4).Order(StringComparer.Ordinal));
    }
}
