using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Tributary.Cli.Hosting;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Engine.Orchestration;
using Tributary.Server;
using Tributary.Server.Intake;
using Tributary.Testing;
using Tributary.Warehouse;

namespace Tributary.Cli.Tests.Server;

/// <summary>Segment's HTTP tracking API on trib serve: keys, validation, limits, dedup, back-pressure and the exactly-once loader.</summary>
public sealed class IntakeApiTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    // Shaped like the examples of Segment's HTTP API spec (one per call type), sent as a library would.
    public static TheoryData<string, string, string, string?, string?> SpecCalls => new()
    {
        { "identify", """{"userId":"019mr8mf4r","traits":{"email":" Pgibbons@Example.com","name":"Peter Gibbons","friends":42},"context":{"ip":"24.5.68.47"},"timestamp":"2012-12-02T00:30:08.276Z","messageId":"m-identify"}""", "m-identify", null, "019mr8mf4r" },
        { "track", """{"userId":"019mr8mf4r","event":"Item Purchased","properties":{"name":"Leap to Conclusions Mat","revenue":14.99,"currency":"usd","order_id":"o-1"},"context":{"ip":"24.5.68.47","campaign":{"source":"Newsletter","medium":"EMAIL","name":"Winter"}},"timestamp":"2012-12-02T00:30:12.984Z","messageId":"m-track"}""", "m-track", "Item Purchased", "019mr8mf4r" },
        { "page", """{"userId":"019mr8mf4r","name":"Tracking HTTP API","properties":{"url":"https://example.com/docs/http","referrer":"https://example.com/"},"timestamp":"2012-12-02T00:30:08.276Z","messageId":"m-page"}""", "m-page", "Tracking HTTP API", "019mr8mf4r" },
        { "screen", """{"userId":"019mr8mf4r","name":"Tracking Methods","timestamp":"2012-12-02T00:30:08.276Z","messageId":"m-screen"}""", "m-screen", "Tracking Methods", "019mr8mf4r" },
        { "group", """{"userId":"019mr8mf4r","groupId":"8e9df332ac","traits":{"name":"Initech","industry":"Technology"},"timestamp":"2012-12-02T00:30:08.276Z","messageId":"m-group"}""", "m-group", null, "019mr8mf4r" },
        { "alias", """{"previousId":"39239-239239-239239-23923","userId":"019mr8mf4r","timestamp":"2012-12-02T00:30:08.276Z","messageId":"m-alias"}""", "m-alias", null, "019mr8mf4r" },
    };

    [Theory]
    [MemberData(nameof(SpecCalls))]
    public async Task SpecCall_IsAcknowledged_AndLoadedIntoTheEventsTable(string type, string body, string messageId, string? eventName, string? userId)
    {
        await using var site = await IntakeSite.StartAsync(_temp, Ct);

        using var response = await site.PostAsync("/v1/" + type, body, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"success":true}""", await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(1, await site.LoadAsync(Ct));
        var row = Assert.Single(await site.EventsAsync(Ct));
        Assert.Equal(messageId, row["event_id"]);
        Assert.Equal(type, row["type"]);
        Assert.Equal(eventName, row["event"]);
        Assert.Equal(userId, row["user_id"]);
        Assert.Equal(new DateTime(2012, 12, 2, 0, 30, type == "track" ? 12 : 8, type == "track" ? 984 : 276), row["occurred_at"]);
        if (type == "identify") Assert.Equal(("pgibbons@example.com", "24.5.68.47"), (row["email"], row["ip"]));
        if (type == "track")
            Assert.Equal(((object?)"o-1", (object?)14.99, (object?)"USD", (object?)"newsletter", (object?)"email", (object?)"Winter"),
                (row["order_id"], row["revenue"], row["currency"], row["utm_source"], row["utm_medium"], row["utm_campaign"]));
        if (type == "page") Assert.Equal(("https://example.com/docs/http", "https://example.com/"), (row["page_url"], row["page_referrer"]));
        // A server's alias has no anonymousId: its previousId stands in, so identity resolution links the two ids.
        if (type == "alias") Assert.Equal("39239-239239-239239-23923", row["anonymous_id"]);
    }

    [Theory]
    [InlineData("/v1/batch")]
    [InlineData("/v1/b")]
    public async Task Batch_EveryMessageLands_TimestampsCorrectedForTheSendersClock_MissingMessageIdGenerated(string path)
    {
        await using var site = await IntakeSite.StartAsync(_temp, Ct);
        // The sender's clock is a day ahead: its event happened 10 s before it sent the batch.
        var body = """
            {"batch":[
              {"type":"identify","userId":"u1","traits":{"email":"a@example.com"},"timestamp":"2030-01-02T00:00:00Z","messageId":"b-1"},
              {"type":"track","userId":"u1","event":"Signed Up","timestamp":"2030-01-02T00:00:00Z"},
              {"type":"page","anonymousId":"anon-1","name":"Home","timestamp":"2030-01-02T00:00:00Z","messageId":"b-3"}
            ],"sentAt":"2030-01-02T00:00:10Z"}
            """;

        using var response = await site.PostAsync(path, body, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(3, await site.LoadAsync(Ct));
        var rows = await site.EventsAsync(Ct);
        Assert.All(rows, r => Assert.Equal(TimeSpan.FromSeconds(10), (DateTime)r["received_at"]! - (DateTime)r["occurred_at"]!));
        Assert.Equal(["identify", "page", "track"], rows.Select(r => (string)r["type"]!).Order());
        Assert.True(Guid.TryParse((string)rows.Single(r => (string)r["type"]! == "track")["event_id"]!, out _));
    }

    [Theory]
    [InlineData("/v1/track", """{"userId":"u1","properties":{}}""", "a track call needs 'event'")]
    [InlineData("/v1/identify", """{"traits":{"email":"a@example.com"}}""", "needs 'userId' or 'anonymousId'")]
    [InlineData("/v1/alias", """{"userId":"u1"}""", "needs 'previousId' and 'userId'")]
    [InlineData("/v1/group", """{"userId":"u1"}""", "needs 'groupId'")]
    [InlineData("/v1/page", """{"userId":"u1","timestamp":"yesterday"}""", "'timestamp' must be an ISO 8601")]
    [InlineData("/v1/batch", """{"batch":[{"type":"track","userId":"u","event":"E"},{"type":"track","userId":"u"}]}""", "batch[1]: a track call needs 'event'")]
    [InlineData("/v1/batch", """{"batch":[{"type":"purchase","userId":"u"}]}""", "batch[0]: 'type' must be one of")]
    [InlineData("/v1/batch", """{"messages":[]}""", "needs 'batch'")]
    [InlineData("/v1/track", """{"userId":""", "not valid JSON")]
    public async Task BadPayload_Is400WithTheReason_AndNothingIsKept(string path, string body, string reason)
    {
        await using var site = await IntakeSite.StartAsync(_temp, Ct);

        using var response = await site.PostAsync(path, body, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains(reason, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await site.LoadAsync(Ct));
    }

    [Theory]
    [InlineData("/v1/track", 32 * 1024, "32 KB")]
    [InlineData("/v1/batch", 500 * 1024, "500 KB")]
    public async Task OverSegmentsSizeLimit_Is400NamingTheLimit_AtTheLimitIsAccepted(string path, int limit, string named)
    {
        await using var site = await IntakeSite.StartAsync(_temp, Ct);
        var (head, tail) = path == "/v1/track"
            ? ("""{"userId":"u","event":"E","properties":{"pad":" """.TrimEnd(), "\"}}")
            : ("""{"batch":[{"type":"track","userId":"u","event":"E"}],"pad":" """.TrimEnd(), "\"}");
        string Body(int size) => head + new string('x', size - head.Length - tail.Length) + tail;
        Assert.Equal(limit, Encoding.UTF8.GetByteCount(Body(limit)));

        using var over = await site.PostAsync(path, Body(limit + 1), Ct);
        using var at = await site.PostAsync(path, Body(limit), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, over.StatusCode);
        Assert.Contains(named, await over.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, at.StatusCode);
    }

    [Fact]
    public async Task EventOver32KBInsideABatch_Is400NamingItsIndex()
    {
        await using var site = await IntakeSite.StartAsync(_temp, Ct);
        var big = "{\"type\":\"track\",\"userId\":\"u\",\"event\":\"E\",\"properties\":{\"pad\":\"" + new string('x', 33 * 1024) + "\"}}";

        using var response = await site.PostAsync("/v1/batch", $$"""{"batch":[{"type":"track","userId":"u","event":"E"},{{big}}]}""", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("batch[1] is", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteKey_WrongOrMissingIs401_InTheBodyIsAccepted_AndOtherOriginsNeedNoWriteSecret()
    {
        await using var site = await IntakeSite.StartAsync(_temp, Ct);
        const string track = """{"userId":"u","event":"E"}""";

        using var wrong = await site.PostAsync("/v1/track", track, Ct, key: "not-a-key");
        using var missing = await site.PostAsync("/v1/track", track, Ct, key: null);
        using var inBody = await site.PostAsync("/v1/track", $$"""{"writeKey":"{{site.Key}}","userId":"u","event":"E"}""", Ct, key: null);
        using var browser = await site.PostAsync("/v1/track", track, Ct, origin: "https://shop.example.com");
        using var ui = await site.PostAsync("/api/pipelines/x/runs", "{}", Ct, origin: "https://shop.example.com");

        Assert.Equal((HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized), (wrong.StatusCode, missing.StatusCode));
        Assert.Equal("Basic", wrong.Headers.WwwAuthenticate.Single().Scheme);
        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (inBody.StatusCode, browser.StatusCode));
        // The UI API keeps its origin check.
        Assert.Equal(HttpStatusCode.Forbidden, ui.StatusCode);
        Assert.Equal(2, await site.LoadAsync(Ct));
    }

    [Fact]
    public async Task CallPaths_TakeAnyLetterCaseAndATrailingSlash_OtherPathsAre404_OtherMethods405()
    {
        await using var site = await IntakeSite.StartAsync(_temp, Ct);
        const string track = """{"userId":"u","event":"E"}""";
        using var http = new HttpClient { BaseAddress = site.Address };

        using var upper = await site.PostAsync("/V1/TRACK", track, Ct);
        using var slash = await site.PostAsync("/v1/track/", track, Ct);
        using var unknown = await site.PostAsync("/v1/purchase", track, Ct);
        using var bare = await site.PostAsync("/v1", track, Ct);
        using var get = await http.GetAsync("/v1/track", Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (upper.StatusCode, slash.StatusCode));
        Assert.Equal((HttpStatusCode.NotFound, HttpStatusCode.NotFound), (unknown.StatusCode, bare.StatusCode));
        Assert.Contains("not a call of the tracking API", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.MethodNotAllowed, get.StatusCode);
        Assert.Equal(["POST"], get.Content.Headers.Allow);
        Assert.Equal(2, await site.LoadAsync(Ct));
    }

    [Fact]
    public async Task SameMessageIdTwice_IsKeptOnce_EvenAfterTheFirstWasLoaded()
    {
        await using var site = await IntakeSite.StartAsync(_temp, Ct);
        const string track = """{"userId":"u","event":"E","messageId":"dup-1"}""";

        using var first = await site.PostAsync("/v1/track", track, Ct);
        Assert.Equal(1, await site.LoadAsync(Ct));
        using var again = await site.PostAsync("/v1/track", track, Ct);
        using var inBatch = await site.PostAsync("/v1/batch", """{"batch":[{"type":"track","userId":"u","event":"E","messageId":"dup-2"},{"type":"track","userId":"u","event":"E","messageId":"dup-2"}]}""", Ct);

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.OK), (first.StatusCode, again.StatusCode, inBatch.StatusCode));
        Assert.Equal(1, await site.LoadAsync(Ct));
        Assert.Equal(["dup-1", "dup-2"], (await site.EventsAsync(Ct)).Select(r => (string)r["event_id"]!).Order());
    }

    [Fact]
    public async Task MessagesWithoutMessageId_AreAllKept_AndOnlySendersIdsAreRecordedForDedup()
    {
        var logPath = Path.Combine(_temp.Path, "ids.db");
        var now = DateTime.UtcNow;
        using var body = System.Text.Json.JsonDocument.Parse("""
            {"batch":[{"type":"track","userId":"u","event":"A"},{"type":"track","userId":"u","event":"A"},{"type":"track","userId":"u","event":"B","messageId":"given-1"}]}
            """);
        var events = SegmentMessages.Read(null, body.RootElement, now, null, out var problem)!;
        Assert.Null(problem);

        await using (var log = IntakeLog.Open(logPath, TimeSpan.FromHours(1), TimeProvider.System))
        {
            Assert.Equal(new IntakeAppended(3, 0), await log.AppendAsync(events, Ct));
            // The sender's id is still deduplicated.
            Assert.Equal(new IntakeAppended(0, 1), await log.AppendAsync([events[2]], Ct));
        }

        // An id made by the server is new by construction: the dedup table holds only the sender's.
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={logPath};Pooling=False");
        connection.Open();
        using var seen = connection.CreateCommand();
        seen.CommandText = "SELECT message_id FROM seen";
        using var reader = seen.ExecuteReader();
        var ids = new List<string>();
        while (reader.Read()) ids.Add(reader.GetString(0));
        Assert.Equal(["given-1"], ids);
        Assert.Equal(2, events.Count(e => e.GeneratedId));
    }

    [Fact]
    public async Task LogOverItsLimit_Is429WithRetryAfter_UntilTheLoaderCatchesUp()
    {
        await using var site = await IntakeSite.StartAsync(_temp, Ct, "  max_log_rows: 2\n");
        using var two = await site.PostAsync("/v1/batch", """{"batch":[{"type":"track","userId":"u","event":"A"},{"type":"track","userId":"u","event":"B"}]}""", Ct);

        using var refused = await site.PostAsync("/v1/track", """{"userId":"u","event":"C"}""", Ct);
        Assert.Equal(2, await site.LoadAsync(Ct));
        using var accepted = await site.PostAsync("/v1/track", """{"userId":"u","event":"C"}""", Ct);

        Assert.Equal(HttpStatusCode.OK, two.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(TimeSpan.FromSeconds(3600), refused.Headers.RetryAfter!.Delta);
        Assert.Contains("limit 2", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, accepted.StatusCode);
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task LoaderCrashBetweenCommitAndTruncation_RestartLoadsEveryEventExactlyOnce(string engine)
    {
        var settings = new IntakeSettings { BatchSize = 3 };
        await using var warehouse = await WarehouseFactory.OpenAsync(Path.Combine(_temp.Path, "w.duckdb"), engine == "postgres" ? await postgres.NewSchemaAsync() : null, Ct);
        var logPath = Path.Combine(_temp.Path, "intake.db");
        var now = new DateTime(2026, 12, 2, 8, 0, 0, DateTimeKind.Utc);
        var events = Enumerable.Range(0, 10).Select(i => new IntakeEvent { EventId = $"e{i}", Type = "track", Event = "E", UserId = "u", OccurredAt = now, ReceivedAt = now }).ToList();
        await using (var log = IntakeLog.Open(logPath, TimeSpan.FromHours(1), TimeProvider.System))
        {
            // One call per event: a load takes whole calls, so three calls are a load of three.
            foreach (var e in events) Assert.Equal(1, (await log.AppendAsync([e], Ct)).Accepted);
            var crashing = new IntakeLoader(log, warehouse, settings, NullLogger<IntakeLoader>.Instance)
            {
                // The second load commits in the warehouse, then the process dies before the log is truncated.
                AfterLoadCommit = last => last >= 6 ? throw new IOException("killed") : Task.CompletedTask,
            };
            await Assert.ThrowsAsync<IOException>(() => crashing.LoadPendingAsync(Ct));
        }
        Assert.Equal(6L, await warehouse.ScalarAsync("SELECT count(*) FROM events", null, Ct));

        await using (var log = IntakeLog.Open(logPath, TimeSpan.FromHours(1), TimeProvider.System))
        {
            var restarted = new IntakeLoader(log, warehouse, settings, NullLogger<IntakeLoader>.Instance);
            Assert.Equal(4, await restarted.LoadPendingAsync(Ct));
            Assert.Equal(0, log.Backlog);
            // A resend of an acknowledged event after the restart is still a duplicate.
            Assert.Equal(1, (await log.AppendAsync([events[0]], Ct)).Duplicates);
        }
        var counts = await warehouse.QueryAsync("SELECT event_id, count(*) FROM events GROUP BY event_id", null, 100, Ct);
        Assert.Equal(10, counts.Rows.Count);
        Assert.All(counts.Rows, r => Assert.Equal(1L, Convert.ToInt64(r[1], System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Fact]
    public void LogFormat_ReadsBackEveryColumn_NullsMultiByteAndLongText()
    {
        var at = new DateTime(2026, 12, 3, 5, 0, 0, DateTimeKind.Utc);
        // Text past 127 and 16,383 bytes takes two and three length bytes; 'é' and '✓' are two and three UTF-8 bytes.
        var events = new[]
        {
            new IntakeEvent
            {
                EventId = "e1", Type = "track", Event = "Café ✓", AnonymousId = "a", UserId = "u", OccurredAt = at, ReceivedAt = at.AddSeconds(1), Email = "x@y.z",
                Phone = "+1", Ip = "10.0.0.1", UserAgent = new string('é', 100), PageUrl = "https://e.com/" + new string('p', 20_000), PageReferrer = "r", UtmSource = "s",
                UtmMedium = "m", UtmCampaign = "c", OrderId = "o", Revenue = -0.25, Currency = "EUR", Experiment = "x", Variant = "v", Properties = "{\"k\":\"✓\"}",
            },
            new IntakeEvent { EventId = "e2", Type = "page", OccurredAt = at, ReceivedAt = at, Properties = "" },
        };
        using var encoded = new MemoryStream();

        IntakeLogFormat.Write(encoded, events);
        var read = IntakeLogFormat.Read(encoded.GetBuffer(), (int)encoded.Length).ToList();

        Assert.Equal(events.Select(e => e.Values()), read);
    }

    [Fact]
    public async Task LogOfOneRowPerEvent_IsMovedToOneRowPerCall_KeepingItsSequencesAndEvents()
    {
        var logPath = Path.Combine(_temp.Path, "old.db");
        // The table an earlier version wrote: a row per event, two not yet loaded, sequences up to 7 handed out.
        using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={logPath};Pooling=False"))
        {
            old.Open();
            using var create = old.CreateCommand();
            create.CommandText = $$"""
                CREATE TABLE log (seq INTEGER PRIMARY KEY AUTOINCREMENT, {{string.Join(", ", IntakeEvent.Columns.Select(c => $"{c.Name} {(c.Kind == DataKind.Timestamp ? "INTEGER" : c.Kind == DataKind.Number ? "REAL" : "TEXT")}"))}});
                INSERT INTO log (seq, event_id, type, event, user_id, occurred_at, received_at, revenue, properties) VALUES
                    (5, 'a', 'track', 'Order', 'u1', {{new DateTime(2026, 12, 2, 8, 0, 0, DateTimeKind.Utc).Ticks}}, {{new DateTime(2026, 12, 2, 8, 0, 1, DateTimeKind.Utc).Ticks}}, 9.5, '{"x":1}'),
                    (6, 'b', 'page', NULL, NULL, {{new DateTime(2026, 12, 2, 8, 0, 2, DateTimeKind.Utc).Ticks}}, {{new DateTime(2026, 12, 2, 8, 0, 3, DateTimeKind.Utc).Ticks}}, NULL, NULL);
                UPDATE sqlite_sequence SET seq = 7 WHERE name = 'log';
                """;
            create.ExecuteNonQuery();
        }

        await using var log = IntakeLog.Open(logPath, TimeSpan.FromHours(1), TimeProvider.System);
        Assert.Equal(2, log.Backlog);
        var read = log.Read(0, 100);
        Assert.Equal(6, read.Last);
        Assert.Equal(["a", "b"], read.Events.Select(e => (string)e[0]!));
        var first = IntakeEvent.Columns.Select((c, i) => (c.Name, read.Events[0][i])).ToDictionary(p => p.Name, p => p.Item2);
        Assert.Equal(("track", "Order", "u1", (double?)9.5, "{\"x\":1}"),
            ((string?)first["type"], (string?)first["event"], (string?)first["user_id"], (double?)first["revenue"], (string?)first["properties"]));
        Assert.Equal(new DateTime(2026, 12, 2, 8, 0, 0, DateTimeKind.Utc), first["occurred_at"]);
        Assert.Null(read.Events[1][IntakeEvent.Columns.ToList().FindIndex(c => c.Name == "user_id")]);
        // A new call comes after every sequence the old log handed out, so the warehouse's record of what was loaded still holds.
        var now = DateTime.UtcNow;
        await log.AppendAsync([new IntakeEvent { EventId = "c", Type = "track", Event = "E", UserId = "u", OccurredAt = now, ReceivedAt = now }], Ct);
        Assert.Equal(["c"], log.Read(7, 100).Events.Select(e => (string)e[0]!));
    }

    [Fact]
    public async Task SourcesCommand_PrintsTheKeyOnce_StoresOnlyItsHash_AndListsTheSource()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);

        var added = await Trib.RunAsync("sources", "add", "website", "--project", directory);
        var again = await Trib.RunAsync("sources", "add", "website", "--project", directory);
        var list = await Trib.RunAsync("sources", "--project", directory);

        Assert.Equal(0, added.ExitCode);
        var key = added.Out.Trim();
        Assert.Equal(64, key.Length);
        var stored = File.ReadAllText(Path.Combine(directory, ".tributary", SourceKeys.FileName));
        Assert.DoesNotContain(key, stored, StringComparison.Ordinal);
        Assert.Equal("website", SourceKeys.Load(Path.Combine(directory, ".tributary", SourceKeys.FileName)).Find(key));
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
        Assert.Contains("website", list.Out, StringComparison.Ordinal);
    }

    /// <summary>A project with one source, served with its intake; the loader's own timer is an hour so the test loads when it says.</summary>
    internal sealed class IntakeSite : IAsyncDisposable
    {
        private readonly ProjectSession _project;
        private readonly TributaryServer _server;
        private readonly HttpClient _http;

        private IntakeSite(ProjectSession project, TributaryServer server, string key)
        {
            _project = project;
            _server = server;
            Key = key;
            _http = new HttpClient { BaseAddress = server.Address };
        }

        public string Key { get; }

        public Uri Address => _server.Address;

        public static async Task<IntakeSite> StartAsync(TempDirectory temp, CancellationToken ct, string extraIntake = "")
        {
            var directory = Path.Combine(temp.Path, "project");
            Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
            File.AppendAllText(Path.Combine(directory, ProjectSettings.FileName), "intake:\n  flush_seconds: 3600\n" + extraIntake);
            var key = (await Trib.RunAsync("sources", "add", "website", "--project", directory)).Out.Trim();
            var cli = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
            var project = ProjectSession.Open(directory, cli.Time);
            var compose = await TributaryHost.ComposeAsync(cli, project, new DaemonScope(new DaemonOptions()), LogFormat.Text, ct);
            var server = TributaryServer.Create(new ServerOptions { Port = 0, WriteSecret = "ui-secret" }, IntakeHost.With(compose, project));
            await server.StartAsync(ct);
            return new IntakeSite(project, server, key);
        }

        public Task<HttpResponseMessage> PostAsync(string path, string body, CancellationToken ct, string? key = "", string? origin = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            key = key == "" ? Key : key;
            if (key is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(key + ":")));
            if (origin is not null)
            {
                request.Headers.Add("Origin", origin);
                request.Headers.Add("Sec-Fetch-Site", "cross-site");
            }
            return _http.SendAsync(request, ct);
        }

        public Task<long> LoadAsync(CancellationToken ct) => _server.Services.GetRequiredService<IntakeLoader>().LoadPendingAsync(ct);

        public async Task<List<Dictionary<string, object?>>> EventsAsync(CancellationToken ct)
        {
            var warehouse = _server.Services.GetRequiredService<IWarehouse>();
            var result = await warehouse.QueryAsync("SELECT * FROM events ORDER BY event_id", null, 10_000, ct);
            return result.Rows.Select(r => result.Schema.Columns.Select((c, i) => (c.Name, r[i])).ToDictionary(p => p.Name, p => p.Item2 is DBNull ? null : p.Item2)).ToList();
        }

        public async ValueTask DisposeAsync()
        {
            _http.Dispose();
            await _server.StopAsync(CancellationToken.None);
            await _server.DisposeAsync();
            await _project.DisposeAsync();
        }
    }
}
