using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Identity;

/// <summary>Segment's alias call links a visitor's earlier id to the user id it becomes, as Segment and RudderStack users expect.</summary>
public sealed class SegmentAliasTests(PostgresCluster postgres)
{
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ServerSideAlias_LinksTheAnonymousVisitorToTheUserAndTheirEmail(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events/e.ndjson", string.Join("\n",
            """{"type":"page","messageId":"m1","anonymousId":"anon-z1","timestamp":"2024-11-17T00:00:00Z","context":{"campaign":{"source":"google","medium":"cpc","name":"Brand Search"}}}""",
            """{"type":"alias","messageId":"m2","previousId":"anon-z1","userId":"u_zed","timestamp":"2024-11-17T00:05:00Z"}""",
            """{"type":"identify","messageId":"m3","userId":"u_zed","traits":{"email":"zed@example.com"},"timestamp":"2024-11-17T00:06:00Z"}""",
            """{"type":"page","messageId":"m4","anonymousId":"anon-other","timestamp":"2024-11-17T00:07:00Z"}""") + "\n");

        var run = await h.RunAsync("""
            pipeline: p
            components:
              - { id: src, type: source.segment_events, with: { path: events } }
              - { id: events, type: standardize.events, inputs: [src] }
              - { id: graph, type: identity.resolve, inputs: [events], with: { identifiers: { events: "user_id, anonymous_id, email" } } }
            """);

        Assert.True(run.Status == RunStatus.Succeeded, run.Error);
        var profiles = (await h.RowsAsync("SELECT identifier_value, profile_id FROM graph")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(profiles["u_zed"], profiles["anon-z1"]);
        Assert.Equal(profiles["u_zed"], profiles["zed@example.com"]);
        Assert.NotEqual(profiles["u_zed"], profiles["anon-other"]);
    }
}
