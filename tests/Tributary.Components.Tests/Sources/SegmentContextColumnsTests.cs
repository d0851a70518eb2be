using Tributary.Engine.Execution;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Sources;

/// <summary>
/// <c>source.segment_events</c> stores the context object's fields as columns, as Segment's warehouse schema does, and its
/// raw JSON only with <c>keep_raw_context</c>; the components downstream read the columns.
/// </summary>
public sealed class SegmentContextColumnsTests(PostgresCluster postgres)
{
    // A browser page view carrying every common context field, and a mobile screen view with device, os and app.
    private const string Page = """{"type":"page","name":"Mugs","messageId":"m1","anonymousId":"a1","timestamp":"2025-01-02T10:00:00Z","context":{"ip":"203.0.113.7","userAgent":"Mozilla/5.0","locale":"de-DE","timezone":"Europe/Berlin","library":{"name":"analytics.js","version":"4.1.0"},"page":{"url":"https://shop.example/mugs?q=blue","path":"/mugs","referrer":"https://www.google.com/","title":"Mugs","search":"?q=blue"},"campaign":{"source":"Google","medium":"CPC","name":"brand","term":"blue mug","content":"ad-7"}}}""";
    private const string Screen = """{"type":"screen","name":"Home","messageId":"m2","userId":"u1","timestamp":"2025-01-02T11:00:00Z","context":{"device":{"id":"d-9","type":"ios","manufacturer":"Apple","model":"iPhone15,2"},"os":{"name":"iOS","version":"17.1"},"app":{"name":"Shop","version":"2.3.0"},"library":{"name":"analytics-ios","version":"1.5.0"}}}""";

    private static readonly string[] ContextColumns =
    [
        "ip", "user_agent", "locale", "timezone", "library_name", "library_version", "page_url", "page_path", "page_referrer", "page_title", "page_search",
        "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content", "device_id", "device_type", "device_manufacturer", "device_model",
        "os_name", "os_version", "app_name", "app_version",
    ];

    private static Task<RunResult> LoadAsync(ComponentHarness h, string extra = "") => h.RunAsync($$"""
        pipeline: p
        components:
          - { id: src, type: source.segment_events, with: { path: events{{extra}} } }
        """);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_ContextFields_AreColumnsAndTheRawContextIsNotStored(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events/e.ndjson", Page + "\n" + Screen + "\n");

        var run = await LoadAsync(h);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var table = await h.Warehouse.DescribeTableAsync("src", TestContext.Current.CancellationToken);
        Assert.Null(table!.Find("context"));
        var rows = await h.RowsAsync($"SELECT {string.Join(", ", ContextColumns)} FROM src ORDER BY message_id");
        Assert.Equal(
            [
                "203.0.113.7", "Mozilla/5.0", "de-DE", "Europe/Berlin", "analytics.js", "4.1.0", "https://shop.example/mugs?q=blue", "/mugs", "https://www.google.com/", "Mugs", "?q=blue",
                "Google", "CPC", "brand", "blue mug", "ad-7", null, null, null, null, null, null, null, null,
            ], rows[0]);
        Assert.Equal(
            [
                null, null, null, null, "analytics-ios", "1.5.0", null, null, null, null, null,
                null, null, null, null, null, "d-9", "ios", "Apple", "iPhone15,2", "iOS", "17.1", "Shop", "2.3.0",
            ], rows[1]);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_KeepRawContext_StoresTheContextTextBesideTheColumns(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events/e.ndjson", Page + "\n" + Screen + "\n");

        var run = await LoadAsync(h, ", keep_raw_context: true");

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var rows = await h.RowsAsync("SELECT context, page_title, device_model FROM src ORDER BY message_id");
        Assert.Equal(Page[(Page.IndexOf("\"context\":", StringComparison.Ordinal) + 10)..^1], rows[0][0]);
        Assert.Equal(Screen[(Screen.IndexOf("\"context\":", StringComparison.Ordinal) + 10)..^1], rows[1][0]);
        Assert.Equal(("Mugs", "iPhone15,2"), ((string)rows[0][1]!, (string)rows[1][2]!));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_RawContextSwitchedOffOnATableThatHasIt_AppendsWithTheContextNull(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events/e1.ndjson", Page + "\n");
        Assert.Equal(RunStatus.Succeeded, (await LoadAsync(h, ", keep_raw_context: true")).Status);
        h.Temp.File("events/e2.ndjson", Screen + "\n");

        var run = await LoadAsync(h);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var rows = await h.RowsAsync("SELECT message_id, context IS NULL, os_name FROM src ORDER BY message_id");
        Assert.Equal(["m1", false, null], rows[0]);
        Assert.Equal(["m2", true, "iOS"], rows[1]);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task SegmentEvents_WithoutRawContext_EventsSessionsAndTouchpointsReadTheColumns(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events/e.ndjson", Page + "\n" + Screen + "\n");

        var run = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.segment_events, with: { path: events } }
              - { id: events, type: standardize.events, inputs: [src] }
              - { id: sessions, type: standardize.sessions, inputs: [events] }
              - { id: touchpoints, type: standardize.touchpoints, inputs: [sessions] }
            """);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var events = await h.RowsAsync("SELECT ip, user_agent, page_url, page_referrer, utm_source, utm_medium, utm_campaign FROM events WHERE event_id = 'm1'");
        Assert.Equal(["203.0.113.7", "Mozilla/5.0", "https://shop.example/mugs?q=blue", "https://www.google.com/", "google", "cpc", "brand"], events[0]);
        Assert.Equal(2, (await h.RowsAsync("SELECT * FROM sessions")).Count);
        Assert.Single(await h.RowsAsync("SELECT * FROM touchpoints WHERE lower(source) = 'google' AND campaign = 'brand'"));
    }
}
