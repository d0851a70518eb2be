using System.Globalization;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Standardize;

/// <summary>Sessionization's edge cases on hand-made events, on both engines: the gap's boundary, timestamp ties, identification mid-session.</summary>
public sealed class SessionsStandardizerTests(PostgresCluster postgres)
{
    private static string Event(string id, string type, string at, string? anonymous = "a1", string? user = null, string? name = null, string? url = null,
        string? referrer = null, string? source = null, string? medium = null, double? revenue = null)
    {
        var fields = new List<string> { $"\"type\":\"{type}\"", $"\"messageId\":\"{id}\"", $"\"timestamp\":\"2025-03-01T{at}Z\"" };
        if (anonymous is not null) fields.Add($"\"anonymousId\":\"{anonymous}\"");
        if (user is not null) fields.Add($"\"userId\":\"{user}\"");
        if (name is not null) fields.Add($"\"event\":\"{name}\"");
        if (revenue is { } r) fields.Add(string.Create(CultureInfo.InvariantCulture, $"\"properties\":{{\"revenue\":{r}}}"));
        var campaign = source is null ? "" : $",\"campaign\":{{\"source\":\"{source}\",\"medium\":\"{medium}\",\"name\":\"spring\"}}";
        fields.Add($"\"context\":{{\"page\":{{\"url\":\"{url ?? "https://shop.example/"}\"{(referrer is null ? "" : $",\"referrer\":\"{referrer}\"")}}}{campaign}}}");
        return "{" + string.Join(",", fields) + "}";
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sessions_GapBoundaryTiesAndIdentification_SplitAndLandAsSpecified(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events/e.ndjson", string.Join("\n",
            // a1: a gap of exactly 30 minutes continues the session; 30 minutes and one second starts the next.
            // Two events at the session's first instant: the lower event id lands it (m02 before m03, whatever the file order).
            Event("m03", "page", "10:00:00", url: "https://shop.example/b"),
            Event("m02", "page", "10:00:00", url: "https://shop.example/a?gclid=1", source: "Google", medium: "CPC"),
            Event("m04", "track", "10:30:00", name: "Order Completed", revenue: 40.5),
            Event("m05", "page", "11:00:01", url: "https://shop.example/c", referrer: "https://www.google.com/"),
            // The same visitor identifies mid-session: the session keeps both ids.
            Event("m06", "identify", "11:10:00", user: "u1"),
            Event("m07", "track", "11:20:00", user: "u1", name: "Order Completed", revenue: 10),
            // Email events are not visits: they neither start nor extend a session.
            Event("m08", "track", "12:00:00", name: "Email Opened"),
            Event("m09", "page", "12:40:00", url: "https://shop.example/d"),
            // A logged-in visitor without an anonymous id is its own visitor.
            Event("m10", "page", "09:00:00", anonymous: null, user: "u2", url: "https://shop.example/e?fbclid=2"),
            Event("m11", "page", "09:45:00", anonymous: null, user: "u2", url: "https://shop.example/f")));

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: raw, type: source.segment_events, with: { path: events } }
              - { id: events, type: standardize.events, inputs: [raw] }
              - { id: sessions, type: standardize.sessions, inputs: [events] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = await SessionRowsAsync(h);
        Assert.Equal(
        [
            "a1#1|a1|-|10:00:00|10:30:00|3|https://shop.example/a?gclid=1|-|google|cpc|spring|paid_search|1|40.5",
            "a1#2|a1|u1|11:00:01|11:20:00|3|https://shop.example/c|https://www.google.com/|-|-|-|organic_search|1|10",
            "a1#3|a1|-|12:40:00|12:40:00|1|https://shop.example/d|-|-|-|-|direct|0|0",
            "u2#1|-|u2|09:00:00|09:00:00|1|https://shop.example/e?fbclid=2|-|-|-|-|paid_social|0|0",
            "u2#2|-|u2|09:45:00|09:45:00|1|https://shop.example/f|-|-|-|-|direct|0|0",
        ], rows);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sessions_LandingFields_AreTheStartingEventsOfTheSameVisitor(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events/e.ndjson", string.Join("\n",
            // Two visitors start at the same instant on different pages; each lands on its own.
            Event("m01", "page", "10:00:00", anonymous: "a1", url: "https://shop.example/one", referrer: "https://www.bing.com/"),
            Event("m02", "page", "10:00:00", anonymous: "a2", url: "https://shop.example/two?fbclid=9"),
            // A tagged event later in a1's session is not its landing.
            Event("m03", "page", "10:05:00", anonymous: "a1", url: "https://shop.example/three", source: "newsletter", medium: "email"),
            // a3's session starts on an event without an id (possible in an events table made by SQL): it still lands on that event
            // (found by its row, not its id; until stop 20 such a session got no landing fields).
            Event("m04", "page", "10:00:00", anonymous: "a3", url: "https://shop.example/four?gclid=1"),
            Event("m05", "track", "10:10:00", anonymous: "a3", name: "Order Completed", revenue: 12)));

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: raw, type: source.segment_events, with: { path: events } }
              - { id: canonical, type: standardize.events, inputs: [raw] }
              - id: events
                type: transform.sql
                inputs: [canonical]
                with:
                  sql: |
                    SELECT CASE WHEN event_id = 'm04' THEN NULL ELSE event_id END AS event_id, anonymous_id, user_id, occurred_at, event,
                           page_url, page_referrer, utm_source, utm_medium, utm_campaign, revenue
                    FROM canonical
              - { id: sessions, type: standardize.sessions, inputs: [events] }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(
        [
            "a1#1|a1|-|10:00:00|10:05:00|2|https://shop.example/one|https://www.bing.com/|-|-|-|organic_search|0|0",
            "a2#1|a2|-|10:00:00|10:00:00|1|https://shop.example/two?fbclid=9|-|-|-|-|paid_social|0|0",
            "a3#1|a3|-|10:00:00|10:10:00|2|https://shop.example/four?gclid=1|-|-|-|-|paid_search|1|12",
        ], await SessionRowsAsync(h));
    }

    // Passes by visitor (forced here; chosen from the events' count and DuckDB's memory limit at scale) give the same sessions as one pass.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Sessions_InPassesByVisitor_AreTheSessionsOfOnePass(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var events = new List<string>();
        for (var v = 0; v < 40; v++)
            for (var e = 0; e < 6; e++)
            {
                // Gaps of 10 or 40 minutes by visitor and event: sessions of one to six events, some identified, some with orders.
                var minute = e * (((v + e) % 3 == 0) ? 40 : 10);
                var at = $"{10 + minute / 60:00}:{minute % 60:00}:00";
                var id = $"m{v:00}{e}";
                events.Add(e == 3 && v % 4 == 0 ? Event(id, "track", at, anonymous: $"a{v}", user: $"u{v}", name: "Order Completed", revenue: v + e)
                    : v % 7 == 6 ? Event(id, "page", at, anonymous: null, user: $"u{v}", url: $"https://shop.example/{v}/{e}")
                    : Event(id, "page", at, anonymous: $"a{v}", url: $"https://shop.example/{v}/{e}?gclid={e}", source: e % 2 == 0 ? "google" : null, medium: "cpc"));
            }
        h.Temp.File("events/e.ndjson", string.Join("\n", events));

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: raw, type: source.segment_events, with: { path: events } }
              - { id: events, type: standardize.events, inputs: [raw] }
              - { id: sessions, type: standardize.sessions, inputs: [events], with: { passes: 1 } }
              - { id: sessions_in_passes, type: standardize.sessions, inputs: [events], with: { passes: 5 } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var one = await SessionRowsAsync(h);
        Assert.True(one.Count > 80, $"{one.Count} sessions");
        Assert.Equal(one, await SessionRowsAsync(h, "sessions_in_passes"));
    }

    private static async Task<List<string>> SessionRowsAsync(ComponentHarness h, string table = "sessions") =>
        (await h.RowsAsync($"""
            SELECT session_id, anonymous_id, user_id, started_at, ended_at, events, landing_page, referrer, utm_source, utm_medium, utm_campaign, channel, orders, revenue
            FROM {table} ORDER BY session_id
            """)).Select(r => string.Join("|", r.Select(v => v switch
            {
                null => "-",
                DateTime t => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture),
                double or decimal or float => Convert.ToDouble(v, CultureInfo.InvariantCulture).ToString("0.##", CultureInfo.InvariantCulture),
                _ => Convert.ToString(v, CultureInfo.InvariantCulture),
            }))).ToList();
}
