using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tributary.Engine.Orchestration;
using Tributary.Engine.Runs;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>
/// 'trib serve' as its own process: token rules, runs handed over by 'trib run', and a backfill that survives kill -9. Tests
/// that only read share one server (<see cref="SharedServedProject"/>); the others start their own.
/// </summary>
public sealed partial class ServeTests(PostgresCluster postgres, SharedServedProject shared) : IDisposable, IClassFixture<SharedServedProject>
{
    private readonly TempDirectory _temp = new();
    private readonly TribProcesses _trib = new();
    private string Project => Path.Combine(_temp.Path, "served");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        _trib.Dispose();
        _temp.Dispose();
    }

    // Starts 'trib serve' on a free port and returns its address once it listens.
    private Task<(Process Server, Uri Address)> ServeAsync(Dictionary<string, string>? environment = null, params string[] extra) =>
        _trib.ServeAsync(Project, environment ?? [], extra, Ct);

    [Fact]
    public async Task Serve_OutsideLoopback_RefusesToStartWithoutATokenAndThenRequiresIt()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        using (var refused = Trib.Start("serve", "--host", "0.0.0.0", "--port", "0", "--project", Project))
        {
            var error = await refused.StandardError.ReadToEndAsync(Ct);
            await refused.WaitForExitAsync(Ct);
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("set TRIBUTARY_TOKEN", error, StringComparison.Ordinal);
        }
        // Reachable from the network, a token short enough to guess is refused too.
        using (var shortToken = Trib.Start(new Dictionary<string, string> { ["TRIBUTARY_TOKEN"] = "a" }, "serve", "--host", "0.0.0.0", "--port", "0", "--project", Project))
        {
            var error = await shortToken.StandardError.ReadToEndAsync(Ct);
            await shortToken.WaitForExitAsync(Ct);
            Assert.Equal(1, shortToken.ExitCode);
            Assert.Contains("needs a TRIBUTARY_TOKEN of at least 16 characters (this one has 1)", error, StringComparison.Ordinal);
        }

        const string token = "s3cret-token-0123456789";
        var (_, address) = await ServeAsync(new() { ["TRIBUTARY_TOKEN"] = token }, "--host", "0.0.0.0");
        var url = new Uri($"http://127.0.0.1:{address.Port}/api/pipelines");
        using var http = new HttpClient();
        // A load balancer's liveness probe has no token: the health route answers it the status, nothing more.
        Assert.Equal("{\"status\":\"ok\"}", await http.GetStringAsync(new Uri(url, "/api/health"), Ct));
        await AssertProblemAsync(await http.GetAsync(url, Ct), HttpStatusCode.Unauthorized, "requires a bearer token");
        using var wrong = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", "Bearer nope" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(wrong, Ct)).StatusCode);
        using var longer = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", $"Bearer {token}-and-more" } } };
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(longer, Ct)).StatusCode);
        using var right = new HttpRequestMessage(HttpMethod.Get, url) { Headers = { { "Authorization", $"Bearer {token}" } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(right, Ct)).StatusCode);
    }

    [Fact]
    public async Task Serve_WithToken_RequiresItOnEveryRouteWhateverTheLetterCase()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), Hello);
        var (_, address) = await ServeAsync(new() { ["TRIBUTARY_TOKEN"] = "s3cret-token" });
        using var http = new HttpClient { BaseAddress = address };

        // Routing ignores letter case; the token check must hold on whatever reaches a route.
        foreach (var path in new[] { "/api/pipelines", "/API/pipelines", "/Api/Pipelines", "/api/PIPELINES/hello/partitions", "/api/write-secret", "/openapi/v1.json", "/OPENAPI/v1.json" })
            Assert.True(HttpStatusCode.Unauthorized == (await http.GetAsync(path, Ct)).StatusCode, path);
        using var pause = new HttpRequestMessage(HttpMethod.Post, "/API/pipelines/hello/pause");
        Assert.Equal(HttpStatusCode.Unauthorized, (await http.SendAsync(pause, Ct)).StatusCode);
        using var allowed = new HttpRequestMessage(HttpMethod.Get, "/API/pipelines") { Headers = { { "Authorization", "bearer s3cret-token" } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(allowed, Ct)).StatusCode);
        Assert.False((await PipelineAsync(http, "hello", "s3cret-token")).GetProperty("paused").GetBoolean());
        using var document = new HttpRequestMessage(HttpMethod.Get, "/openapi/v1.json") { Headers = { { "Authorization", "Bearer s3cret-token" } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(document, Ct)).StatusCode);
    }

    [Fact]
    public async Task OpenApi_Served_EqualsTheWebClientsCopy()
    {
        using var http = new HttpClient { BaseAddress = await shared.AddressAsync() };

        var served = JsonNode.Parse(await http.GetStringAsync("/openapi/v1.json", Ct))!;
        var copy = Path.Combine(RepositoryFiles.Root, "web", "src", "api", "openapi.json");
        var saved = Path.Combine(AppContext.BaseDirectory, "openapi.served.json");
        await File.WriteAllTextAsync(saved, served.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), Ct);
        Assert.True(JsonNode.DeepEquals(served, JsonNode.Parse(await File.ReadAllTextAsync(copy, Ct))),
            $"the API's OpenAPI document differs from the web client's copy {copy} (served: {saved}); renew the copy and the client's types with 'npm run openapi' in web/");
    }

    [Fact]
    public async Task Answers_ReadAsTheirContracts()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), Hello);
        var (_, address) = await ServeAsync();
        using var http = WriteClient(address);

        // Strict reading (ApiJson: every required member present, no null where the contract says none).
        Assert.Empty(await ReadAsync<List<AssetSummary>>(await http.GetAsync("/api/assets", Ct)));
        var queued = await ReadAsync<RunQueued>(await http.PostAsJsonAsync("/api/runs", new RunSubmission("hello"), ApiJson.Options, Ct));
        QueuedRunView entry;
        while ((entry = await ReadAsync<QueuedRunView>(await http.GetAsync($"/api/queue/{queued.QueueId}", Ct))).State is not QueueState.Done)
            await Task.Delay(100, Ct);
        var runs = await ReadAsync<List<RunView>>(await http.GetAsync("/api/runs", Ct));
        Assert.Equal((entry.RunId, "hello", RunStatus.Succeeded, "api"), (runs[0].RunId, runs[0].Pipeline, runs[0].Status, runs[0].Trigger));
        var detail = await ReadAsync<RunDetail>(await http.GetAsync($"/api/runs/{entry.RunId}", Ct));
        Assert.Equal(["greeting"], detail.Steps.Select(s => s.Asset));
        // The step's peak memory reaches the API where the process can measure it (Linux's /proc).
        if (OperatingSystem.IsLinux()) Assert.InRange(detail.Steps[0].PeakRssBytes!.Value, 1L << 20, long.MaxValue);
        Assert.Equal(1, Assert.Single(detail.Materializations).RowCount);
        var asset = Assert.Single(await ReadAsync<List<AssetSummary>>(await http.GetAsync("/api/assets", Ct)));
        Assert.Equal(("greeting", 1L, entry.RunId), (asset.Name, asset.Rows, asset.RunId));
        Assert.Equal(("greeting", "main", Core.Components.OutputRole.Main), (asset.Step, asset.Output, asset.Role));
        Assert.Equal([asset], await ReadAsync<List<AssetSummary>>(await http.GetAsync("/api/assets?include_internal=true", Ct)));
        var preview = await ReadAsync<AssetPreview>(await http.GetAsync("/api/assets/greeting", Ct));
        Assert.Equal([new ColumnView("word", Core.Warehousing.DataKind.Text)], preview.Columns);
        var pipeline = Assert.Single(await ReadAsync<List<PipelineSummary>>(await http.GetAsync("/api/pipelines", Ct)));
        Assert.Equal(("hello", 1, false), (pipeline.Name, pipeline.Components, pipeline.Paused));
        var invalid = await http.PutAsJsonAsync("/api/pipelines/hello/yaml", new PipelineYaml("pipeline: hello\ncomponents:\n  - { id: a, type: no.such.type }\n"), ApiJson.Options, Ct);
        var problem = await AssertProblemAsync(invalid, HttpStatusCode.BadRequest, "the pipeline has errors");
        var diagnostic = Assert.Single(problem.GetProperty("diagnostics").Deserialize<List<DiagnosticView>>(ApiJson.Options)!);
        Assert.Equal((3, DiagnosticSeverity.Error), (diagnostic.Line, diagnostic.Severity));
    }

    [Fact]
    public async Task AssetPreview_PagesRows_AndCountsTheWholeTable()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "numbers.yaml"),
            "pipeline: numbers\ncomponents:\n  - { id: numbers, type: transform.sql, with: { sql: \"SELECT CAST(i AS INTEGER) AS i FROM range(1, 31) t(i) ORDER BY i\" } }\n");
        var (_, address) = await ServeAsync();
        using var http = WriteClient(address);
        var queued = await ReadAsync<RunQueued>(await http.PostAsJsonAsync("/api/runs", new RunSubmission("numbers"), ApiJson.Options, Ct));
        while ((await ReadAsync<QueuedRunView>(await http.GetAsync($"/api/queue/{queued.QueueId}", Ct))).State is not QueueState.Done)
            await Task.Delay(100, Ct);

        // The total is the table's, not the page's; the page starts at the offset.
        var page = await ReadAsync<AssetPreview>(await http.GetAsync("/api/assets/numbers?offset=25&limit=10", Ct));
        Assert.Equal((30L, 25L, 5), (page.Total, page.Offset, page.Rows.Count));
        var first = await ReadAsync<AssetPreview>(await http.GetAsync("/api/assets/numbers?limit=10", Ct));
        Assert.Equal((30L, 0L, 10), (first.Total, first.Offset, first.Rows.Count));
    }

    [Theory]
    [InlineData(" ")]
    [InlineData("")]
    [InlineData(" s3cret ")]
    public async Task Serve_BlankOrPaddedToken_IsRefusedAtStart(string token)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var refused = _trib.Start(new Dictionary<string, string> { ["TRIBUTARY_TOKEN"] = token }, "serve", "--port", "0", "--project", Project);
        var error = new List<string>();
        while (await refused.StandardError.ReadLineAsync(Ct) is { } line)
        {
            Assert.False(TribProcesses.Listening().IsMatch(line), $"trib serve started with TRIBUTARY_TOKEN='{token}': {line}");
            error.Add(line);
        }
        await refused.WaitForExitAsync(Ct);
        Assert.Equal(1, refused.ExitCode);
        Assert.Equal(token.Trim().Length == 0
            ? "error: TRIBUTARY_TOKEN is set but blank; set it to a secret, or unset it to serve on loopback without a token."
            : "error: TRIBUTARY_TOKEN starts or ends with white space, which an Authorization header cannot carry; remove it.", Assert.Single(error));
    }

    // Two pipelines writing one table differently was said by trib validate only: a server scheduling both said nothing.
    [Fact]
    public async Task Serve_TwoPipelinesWritingOneTableDifferently_SaysSoAtStartNamingBothAtTheirLines()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        foreach (var (name, sql) in new[] { ("hello", "SELECT 'hi' AS word"), ("twin", "SELECT 'hey' AS word") })
            File.WriteAllText(Path.Combine(Project, "pipelines", name + ".yaml"), $$"""
                pipeline: {{name}}
                components:
                  - { id: greeting, type: transform.sql, with: { sql: "{{sql}}" } }
                """);
        var server = _trib.Start(new Dictionary<string, string>(), "serve", "--port", "0", "--project", Project);

        string? warning = null;
        while (warning is null && await server.StandardError.ReadLineAsync(Ct) is { } line)
            if (line.Contains("TRIB0209", StringComparison.Ordinal)) warning = line;

        Assert.NotNull(warning);
        Assert.EndsWith("pipelines/twin.yaml:3:5: warning TRIB0209: asset 'greeting' of pipeline 'twin' is defined differently in pipelines/hello.yaml:3:5 (pipeline 'hello'), "
            + "and both write table 'greeting': whichever runs last replaces the other's, and a partial run of the other then fails until it rebuilds it. "
            + "Give one of them another id, or define both alike.", warning, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Serve_OnLoopback_AnswersOnlyToLoopbackHostNames()
    {
        var address = await shared.AddressAsync();
        using var http = new HttpClient { BaseAddress = address };

        foreach (var host in new[] { "localhost", $"localhost:{address.Port}", $"127.0.0.1:{address.Port}", $"[::1]:{address.Port}" })
        {
            using var own = new HttpRequestMessage(HttpMethod.Get, "/api/health") { Headers = { Host = host } };
            Assert.True(HttpStatusCode.OK == (await http.SendAsync(own, Ct)).StatusCode, host);
        }
        // A page on evil.example whose name was rebound to 127.0.0.1 sends its own name.
        foreach (var path in new[] { "/api/health", "/" })
        {
            using var rebound = new HttpRequestMessage(HttpMethod.Get, path) { Headers = { Host = $"evil.example:{address.Port}" } };
            await AssertProblemAsync(await http.SendAsync(rebound, Ct), HttpStatusCode.BadRequest, "does not answer to the host name 'evil.example'");
        }
    }

    [Fact]
    public async Task Write_FromAnotherSite_IsRefusedEvenWithTheSecret()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), Hello);
        var (_, address) = await ServeAsync();
        using var http = WriteClient(address);

        // A cross-origin HTML form: urlencoded, Origin of the other site.
        using var form = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/hello/pause") { Content = new FormUrlEncodedContent([new("x", "y")]), Headers = { { "Origin", "http://evil.example" } } };
        await AssertProblemAsync(await http.SendAsync(form, Ct), HttpStatusCode.Forbidden, "another origin (http://evil.example)");
        using var otherPort = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/hello/pause") { Headers = { { "Origin", $"http://127.0.0.1:{address.Port + 1}" } } };
        await AssertProblemAsync(await http.SendAsync(otherPort, Ct), HttpStatusCode.Forbidden, "another origin");
        using var opaque = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/hello/pause") { Headers = { { "Origin", "null" } } };
        await AssertProblemAsync(await http.SendAsync(opaque, Ct), HttpStatusCode.Forbidden, "another origin (null)");
        foreach (var site in new[] { "cross-site", "same-site" })
        {
            using var fetched = new HttpRequestMessage(HttpMethod.Post, "/api/queue/nope/cancel") { Headers = { { "Sec-Fetch-Site", site } } };
            await AssertProblemAsync(await http.SendAsync(fetched, Ct), HttpStatusCode.Forbidden, $"another site (Sec-Fetch-Site: {site})");
            using var secret = new HttpRequestMessage(HttpMethod.Get, "/api/write-secret") { Headers = { { "Sec-Fetch-Site", site } } };
            await AssertProblemAsync(await http.SendAsync(secret, Ct), HttpStatusCode.Forbidden, "given only to this server's own pages");
        }
        Assert.False((await PipelineAsync(http, "hello")).GetProperty("paused").GetBoolean());

        // The server's own page: same origin.
        using var own = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/hello/pause") { Headers = { { "Origin", address.GetLeftPart(UriPartial.Authority) }, { "Sec-Fetch-Site", "same-origin" } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(own, Ct)).StatusCode);
        Assert.True((await PipelineAsync(http, "hello")).GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task Write_WithoutTheInstallSecret_IsRefused_AndTheSecretIsOnlyInAPrivateFileAndTheOwnPage()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), Hello);
        var (_, address) = await ServeAsync();
        var file = Path.Combine(Project, ".tributary", "write-secret");
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        var secret = File.ReadAllText(file);
        Assert.Equal(64, secret.Length);
        using var http = new HttpClient { BaseAddress = address };

        await AssertProblemAsync(await http.PostAsync("/api/pipelines/hello/pause", null, Ct), HttpStatusCode.Forbidden, "need the per-install write secret");
        using var wrong = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/hello/pause") { Headers = { { "X-Tributary-Write-Secret", secret[..^1] } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(wrong, Ct)).StatusCode);
        Assert.False((await PipelineAsync(http, "hello")).GetProperty("paused").GetBoolean());

        // The web UI asks its own server for it (same origin); then the write goes through.
        using var page = new HttpRequestMessage(HttpMethod.Get, "/api/write-secret") { Headers = { { "Sec-Fetch-Site", "same-origin" } } };
        var given = await (await http.SendAsync(page, Ct)).Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(secret, given.GetProperty("secret").GetString());
        using var right = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/hello/pause") { Headers = { { given.GetProperty("header").GetString()!, secret } } };
        Assert.Equal(HttpStatusCode.OK, (await http.SendAsync(right, Ct)).StatusCode);
        Assert.True((await PipelineAsync(http, "hello")).GetProperty("paused").GetBoolean());
    }

    [Fact]
    public async Task Write_SecretTurnedOffInSettings_IsNotNeeded()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), Hello);
        var settings = Path.Combine(Project, "tributary.yaml");
        File.WriteAllText(settings, File.ReadAllText(settings).Replace("write_secret: true", "write_secret: false", StringComparison.Ordinal));
        var (_, address) = await ServeAsync();
        using var http = new HttpClient { BaseAddress = address };

        Assert.Equal(HttpStatusCode.OK, (await http.PostAsync("/api/pipelines/hello/pause", null, Ct)).StatusCode);
        Assert.True((await PipelineAsync(http, "hello")).GetProperty("paused").GetBoolean());
        Assert.False(File.Exists(Path.Combine(Project, ".tributary", "write-secret")));
        // Other sites are still refused.
        using var form = new HttpRequestMessage(HttpMethod.Post, "/api/pipelines/hello/resume") { Headers = { { "Origin", "http://evil.example" } } };
        Assert.Equal(HttpStatusCode.Forbidden, (await http.SendAsync(form, Ct)).StatusCode);
    }

    [Fact]
    public async Task Errors_AreProblemDetailsWithAMessage()
    {
        using var http = WriteClient(await shared.AddressAsync(), shared.Project);

        await AssertProblemAsync(await PostJsonAsync(http, "/api/validate", """{"yaml": null}"""), HttpStatusCode.BadRequest, "The constructor parameter 'Yaml'");
        await AssertProblemAsync(await PostJsonAsync(http, "/api/validate", "{}"), HttpStatusCode.BadRequest, "missing required properties including: 'yaml'");
        await AssertProblemAsync(await PostJsonAsync(http, "/api/validate", """{"yaml": """), HttpStatusCode.BadRequest, "the request body is not what this call takes");
        await AssertProblemAsync(await PostJsonAsync(http, "/api/runs", """{"pipeline": 7}"""), HttpStatusCode.BadRequest, "the request body is not what this call takes");
        await AssertProblemAsync(await PostJsonAsync(http, "/api/backfills", """{"pipeline": "hello"}"""), HttpStatusCode.BadRequest, "missing required properties");
        await AssertProblemAsync(await http.PostAsync("/api/validate", new StringContent("yaml=x", System.Text.Encoding.UTF8, "application/x-www-form-urlencoded"), Ct),
            HttpStatusCode.UnsupportedMediaType, "Content-Type: application/json");
        await AssertProblemAsync(await http.GetAsync("/api/pipelines/nope/partitions", Ct), HttpStatusCode.NotFound, "no pipeline 'nope'");
        await AssertProblemAsync(await http.GetAsync("/api/pipelines/hello/partitions", Ct), HttpStatusCode.NotFound, "pipeline 'hello' has no partitions");
        var broken = await AssertProblemAsync(await http.GetAsync("/api/pipelines/broken/partitions", Ct), HttpStatusCode.BadRequest, "the pipeline has errors");
        Assert.Contains("no.such.type", broken.GetProperty("diagnostics")[0].GetProperty("message").GetString(), StringComparison.Ordinal);
        await AssertProblemAsync(await http.GetAsync("/api/nothing/here", Ct), HttpStatusCode.NotFound, "nothing at GET /api/nothing/here");
        await AssertProblemAsync(await http.DeleteAsync("/api/validate", Ct), HttpStatusCode.MethodNotAllowed, "DELETE is not allowed on /api/validate");
        await AssertProblemAsync(await http.GetAsync("/api/runs/nope/events", Ct), HttpStatusCode.NotFound, "no run 'nope'");
        await AssertProblemAsync(await http.GetAsync("/api/assets/nope/csv", Ct), HttpStatusCode.NotFound, "no table 'nope'");
        await AssertProblemAsync(await http.GetAsync("/api/ticks?limit=many", Ct), HttpStatusCode.BadRequest, "\"many\"");
    }

    [Fact]
    public async Task Post_BodyOverTheCap_IsRefusedWith413()
    {
        using var http = WriteClient(await shared.AddressAsync(), shared.Project);
        var huge = JsonSerializer.Serialize(new { yaml = new string('[', 2 * 1024 * 1024) });

        await AssertProblemAsync(await PostJsonAsync(http, "/api/validate", huge), HttpStatusCode.RequestEntityTooLarge, "larger than this server accepts (1024 KB)");
        // Without a length up front (chunked), the cap holds while reading.
        using var chunked = new HttpRequestMessage(HttpMethod.Post, "/api/validate") { Content = new StreamContent(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(huge))) };
        chunked.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        chunked.Headers.TransferEncodingChunked = true;
        await AssertProblemAsync(await http.SendAsync(chunked, Ct), HttpStatusCode.RequestEntityTooLarge, "larger than this server accepts");
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/api/health", Ct)).StatusCode);
    }

    [Fact]
    public async Task Partitions_ArePagedWithTheTotal()
    {
        using var http = new HttpClient { BaseAddress = await shared.AddressAsync() };

        var page = await http.GetFromJsonAsync<JsonElement>("/api/pipelines/regions/partitions?offset=1&limit=2", Ct);
        Assert.Equal(5, page.GetProperty("total").GetInt64());
        Assert.Equal(1, page.GetProperty("offset").GetInt64());
        Assert.Equal(2, page.GetProperty("limit").GetInt32());
        Assert.Equal(["east raw", "east summary", "south raw", "south summary"],
            page.GetProperty("items").EnumerateArray().Select(i => $"{i.GetProperty("partition").GetString()} {i.GetProperty("asset").GetString()}"));
        var last = await http.GetFromJsonAsync<JsonElement>("/api/pipelines/regions/partitions?offset=4&limit=1000", Ct);
        Assert.Equal(["central", "central"], last.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("partition").GetString()));
        var past = await http.GetFromJsonAsync<JsonElement>("/api/pipelines/regions/partitions?offset=9", Ct);
        Assert.Equal(5, past.GetProperty("total").GetInt64());
        Assert.Empty(past.GetProperty("items").EnumerateArray());
        await AssertProblemAsync(await http.GetAsync("/api/pipelines/regions/partitions?limit=1001", Ct), HttpStatusCode.BadRequest, "limit must be 1 to 1000, not 1001");
        await AssertProblemAsync(await http.GetAsync("/api/pipelines/regions/partitions?offset=-1", Ct), HttpStatusCode.BadRequest, "offset must be 0 or more, not -1");
    }

    [Fact]
    public async Task RunEvents_ReconnectingWithLastEventId_ResumesAfterItWithoutRepeatingOrLosingEvents()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "three.yaml"), """
            pipeline: three
            components:
              - { id: a, type: transform.sql, with: { sql: "SELECT 1 AS v" } }
              - { id: b, type: transform.sql, inputs: [a], with: { sql: "SELECT v + 1 AS v FROM a" } }
              - { id: c, type: transform.sql, inputs: [b], with: { sql: "SELECT v + 1 AS v FROM b" } }
            """);
        var (_, address) = await ServeAsync();
        Assert.Equal(0, (await Trib.RunAsync("run", "three", "--project", Project)).ExitCode);
        using var http = new HttpClient { BaseAddress = address };
        var runId = (await http.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=three", Ct))[0].GetProperty("run_id").GetString()!;

        var all = await ReadEventsAsync(http, runId, null);
        var resumed = await ReadEventsAsync(http, runId, "3");

        var events = all.Where(e => e.Event == "message").ToList();
        Assert.Equal(Enumerable.Range(1, events.Count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)), events.Select(e => e.Id));
        Assert.True(events.Count > 6, string.Join("\n", events.Select(e => e.Data)));
        Assert.Equal(events.Skip(3), resumed.Where(e => e.Event == "message"));
        Assert.Equal("end", all[^1].Event);
        Assert.Equal(all[^1], resumed[^1]);
        Assert.Equal("succeeded", JsonDocument.Parse(resumed[^1].Data).RootElement.GetProperty("status").GetString());
    }

    private sealed record SseEvent(string? Id, string Event, string Data);

    // Reads a run's event stream to its end, as a browser's EventSource would, optionally resuming after an event id.
    private static async Task<List<SseEvent>> ReadEventsAsync(HttpClient http, string runId, string? lastEventId)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/runs/{Uri.EscapeDataString(runId)}/events");
        if (lastEventId is not null) request.Headers.Add("Last-Event-ID", lastEventId);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));
        var events = new List<SseEvent>();
        string? id = null, name = null, data = null;
        while (await reader.ReadLineAsync(Ct) is { } line)
        {
            if (line.Length == 0)
            {
                if (data is not null) events.Add(new SseEvent(id, name ?? "message", data));
                (id, name, data) = (null, null, null);
                if (events.Count > 0 && events[^1].Event == "end") break;
            }
            else if (line.StartsWith("id: ", StringComparison.Ordinal)) id = line[4..];
            else if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line[7..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal)) data = line[6..];
        }
        return events;
    }

    [Fact]
    public async Task Run_WhileServing_IsHandedToTheServerWhichOwnsTheWarehouse()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n");
        var (_, address) = await ServeAsync();

        var run = await Trib.RunAsync("run", "hello", "--project", Project);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("submitted to the running server", run.Error, StringComparison.Ordinal);
        Assert.Contains("greeting greeting: 1 rows", run.Error.Replace("  ", " ", StringComparison.Ordinal), StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = address };
        var runs = await http.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=hello", Ct);
        Assert.Equal("succeeded", runs[0].GetProperty("status").GetString());
        // Recorded as run from the command line, as without a server.
        Assert.Equal("cli", runs[0].GetProperty("trigger").GetString());
        var wrong = await Trib.RunAsync("run", "hello", "--select", "nope", "--project", Project);
        Assert.Equal(1, wrong.ExitCode);
        Assert.Contains("the server answered 400", wrong.Error, StringComparison.Ordinal);
    }

    // Ctrl+C on a handed-over run printed "cancelled" and exited, while the server ran it to the end.
    [Fact]
    public async Task Run_CtrlCWhileServing_CancelsTheRunOnTheServer_AsRunsCancelDoes()
    {
        var variable = "TRIB_TEST_WH_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var settings = Path.Combine(Project, "tributary.yaml");
        ProjectSettingsFile.UsePostgresWarehouse(settings, variable);
        // PostgreSQL stops a statement when asked: the run is cancelled mid-step.
        File.WriteAllText(Path.Combine(Project, "pipelines", "slow.yaml"), "pipeline: slow\ncomponents:\n  - { id: nap, type: transform.sql, with: { sql: \"SELECT 1 AS n FROM pg_sleep(120)\" } }\n");
        var connectionString = await postgres.NewSchemaAsync();
        // For this process's trib commands too (its name is this test's own).
        Environment.SetEnvironmentVariable(variable, connectionString);
        var (_, address) = await ServeAsync(new() { [variable] = connectionString });
        using var http = new HttpClient { BaseAddress = address };
        using var ctrlC = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var handed = TribApp.RunAsync(["run", "slow", "--project", Project], output, error, TimeProvider.System, ctrlC.Token);
        var runId = await RunningAsync(http, "slow");
        await ctrlC.CancelAsync();
        var code = await handed;

        Assert.True(code == 2, error.ToString());
        Assert.Matches($"cancelling (queued )?run [^ ]+ on the server", error.ToString());
        Assert.Contains($"run {runId} cancelled on the server; every table keeps its previous version.", error.ToString(), StringComparison.Ordinal);
        var run = (await http.GetFromJsonAsync<JsonElement>($"/api/runs/{runId}", Ct)).GetProperty("run");
        Assert.Equal(("cancelled", "cli"), (run.GetProperty("status").GetString(), run.GetProperty("trigger").GetString()));

        // trib runs cancel: through the server's cancel API; a run that no longer runs is refused.
        using var writes = WriteClient(address);
        Assert.Equal(HttpStatusCode.Accepted, (await writes.PostAsJsonAsync("/api/runs", new RunSubmission("slow"), ApiJson.Options, Ct)).StatusCode);
        var second = await RunningAsync(http, "slow", runId);
        // A run of the same pipeline waits in the queue behind it: its queue id cancels it before it starts.
        var waiting = (await (await writes.PostAsJsonAsync("/api/runs", new RunSubmission("slow"), ApiJson.Options, Ct)).Content.ReadFromJsonAsync<RunQueued>(ApiJson.Options, Ct))!.QueueId;
        var unqueued = await Trib.RunAsync("runs", "cancel", waiting, "--project", Project);
        Assert.Equal((0, $"queued run {waiting} cancelled before it started."), (unqueued.ExitCode, unqueued.Error.Trim()));
        Assert.Equal("cancelled", (await http.GetFromJsonAsync<JsonElement>($"/api/queue/{waiting}", Ct)).GetProperty("state").GetString());
        var cancel = await Trib.RunAsync("runs", "cancel", second, "--project", Project);
        Assert.True(cancel.ExitCode == 0, cancel.Error);
        Assert.Equal($"run {second} cancelling on the server; every table keeps its previous version. Follow it with: trib runs show {second}", cancel.Error.Trim());
        while ((await http.GetFromJsonAsync<JsonElement>($"/api/runs/{second}", Ct)).GetProperty("run").GetProperty("status").GetString() is "running" or "queued")
            await Task.Delay(100, Ct);
        Assert.Equal("cancelled", (await http.GetFromJsonAsync<JsonElement>($"/api/runs/{second}", Ct)).GetProperty("run").GetProperty("status").GetString());
        var again = await Trib.RunAsync("runs", "cancel", second, "--project", Project);
        Assert.Equal((1, $"error: the server answered 409: run '{second}' is not running here"), (again.ExitCode, again.Error.Trim()));
    }

    // The id of the newest run of a pipeline once it runs (other than one seen before).
    private static async Task<string> RunningAsync(HttpClient http, string pipeline, string? other = null)
    {
        while (true)
        {
            var runs = await http.GetFromJsonAsync<JsonElement>($"/api/runs?pipeline={pipeline}", Ct);
            if (runs.GetArrayLength() > 0 && runs[0].GetProperty("run_id").GetString() is { } id && id != other && runs[0].GetProperty("status").GetString() == "running") return id;
            await Task.Delay(100, Ct);
        }
    }

    // "Re-run from" in the UI submits the run's recorded params; the record kept none, so a re-run used the defaults.
    [Fact]
    public async Task Run_SubmittedWithParams_RecordsThemForARerun()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"),
            "pipeline: hello\nparams:\n  n: { type: integer, default: 1, min: 0, max: 5 }\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT ${param.n} AS n\" } }\n");
        var (_, address) = await ServeAsync();
        using var http = WriteClient(address);

        var queued = await ReadAsync<RunQueued>(await http.PostAsJsonAsync("/api/runs",
            new RunSubmission("hello", Params: new Dictionary<string, string> { ["n"] = "3" }), ApiJson.Options, Ct));
        QueuedRunView entry;
        while ((entry = await ReadAsync<QueuedRunView>(await http.GetAsync($"/api/queue/{queued.QueueId}", Ct))).State is not QueueState.Done)
            await Task.Delay(100, Ct);

        var run = (await ReadAsync<RunDetail>(await http.GetAsync($"/api/runs/{entry.RunId}", Ct))).Run;
        Assert.Equal(new Dictionary<string, string> { ["n"] = "3" }, run.Params);
        Assert.Equal(new Dictionary<string, string> { ["n"] = "3" }, (await ReadAsync<List<RunView>>(await http.GetAsync("/api/runs", Ct)))[0].Params);
    }

    // Handed to the server, a bad --param was answered "the server answered 400: the pipeline has errors", without the line
    // and the range trib run gives on its own.
    [Fact]
    public async Task Run_WhileServing_ParamOutOfRange_IsShownAtItsLineAsWithoutAServer()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"),
            "pipeline: hello\nparams:\n  n: { type: integer, default: 1, min: 0, max: 5 }\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT ${param.n} AS n\" } }\n");
        var alone = await Trib.RunAsync("run", "hello", "--param", "n=9", "--project", Project);
        await ServeAsync();

        var handed = await Trib.RunAsync("run", "hello", "--param", "n=9", "--project", Project);

        Assert.Equal((1, 1), (alone.ExitCode, handed.ExitCode));
        Assert.Contains("hello.yaml:3:", handed.Error, StringComparison.Ordinal);
        Assert.Contains("9", handed.Error, StringComparison.Ordinal);
        Assert.Equal(alone.Error, handed.Error);
        Assert.DoesNotContain("submitted to the running server", handed.Error, StringComparison.Ordinal);
    }

    // The check before the hand-off must not refuse what only the server's environment holds: the run uses the server's.
    [Fact]
    public async Task Run_WhileServing_EnvVariableOnlyTheServerHas_RunsThere()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"),
            "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT '${env.TRIB_ONLY_IN_SERVER}' AS word\" } }\n");
        Assert.Null(Environment.GetEnvironmentVariable("TRIB_ONLY_IN_SERVER"));
        await ServeAsync(new Dictionary<string, string> { ["TRIB_ONLY_IN_SERVER"] = "hi" });

        var run = await Trib.RunAsync("run", "hello", "--project", Project);

        Assert.True(run.ExitCode == 0, run.Error);
        Assert.Contains("submitted to the running server", run.Error, StringComparison.Ordinal);
    }

    // The README says running the quickstart again is safe: with 'trib serve' open on its project (which owns the DuckDB
    // file) it ran the template itself and stopped at the warehouse's lock.
    [Fact]
    public async Task Quickstart_AgainWhileServing_RunsAndReadsThroughTheServer()
    {
        var first = await Trib.RunAsync("quickstart", Project, "--customers", "200");
        Assert.True(first.ExitCode == 0, first.Error);
        await ServeAsync();

        var again = await Trib.RunAsync("quickstart", Project, "--customers", "200");

        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains("submitted to the running server", again.Error, StringComparison.Ordinal);
        Assert.Contains("Value tiers", again.Out, StringComparison.Ordinal);
        Assert.Contains("RFM segments:", again.Out, StringComparison.Ordinal);
        Assert.Matches(@"trib runs show \d{8}-\d{6}-[0-9a-f]{6} ", again.Out);
        // Its own Next says where the running server is; no hint of the run's is repeated.
        Assert.Contains("(trib serve runs)", again.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Details: trib runs show", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Backfill_WhileServing_IsHandedToTheServer()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), """
            pipeline: daily
            partitions: { type: daily, start: 2025-01-01 }
            components:
              - { id: totals, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS day" } }
            """);
        var (_, address) = await ServeAsync();

        var handed = await Trib.RunAsync("backfill", "daily", "--from", "2025-01-01", "--to", "2025-01-02", "--project", Project);

        Assert.True(handed.ExitCode == 0, handed.Error);
        var id = Assert.Single(HandedBackfill().Matches(handed.Error)).Groups[1].Value;
        using var http = new HttpClient { BaseAddress = address };
        var backfill = await ReadAsync<BackfillDetail>(await http.GetAsync($"/api/backfills/{id}", Ct));
        Assert.Equal(("daily", 2), (backfill.Backfill.Pipeline, backfill.Backfill.Concurrency));
        Assert.Equal(["2025-01-01", "2025-01-02"], backfill.Partitions.Select(p => p.Key));
    }

    [Fact]
    public async Task BackfillStatusFollow_OfABackfillHandedToTheServer_PrintsProgressUntilEveryPartitionIsDone()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), """
            pipeline: daily
            partitions: { type: daily, start: 2025-01-01 }
            components:
              - { id: totals, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS day" } }
            """);
        await ServeAsync();
        var handed = await Trib.RunAsync("backfill", "daily", "--from", "2025-01-01", "--to", "2025-01-04", "--concurrency", "1", "--project", Project);
        var id = Assert.Single(HandedBackfill().Matches(handed.Error)).Groups[1].Value;
        Assert.Contains($"follow it with: trib backfill status {id} --follow", handed.Error, StringComparison.Ordinal);

        var followed = await Trib.RunAsync("backfill", "status", id, "--follow", "--format", "csv", "--project", Project);

        Assert.True(followed.ExitCode == 0, followed.Error);
        Assert.Equal("partition,status\n2025-01-01,succeeded\n2025-01-02,succeeded\n2025-01-03,succeeded\n2025-01-04,succeeded\n",
            string.Concat(followed.Out.ReplaceLineEndings("\n").Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => string.Join(',', l.Split(',').Take(2)) + "\n")));
        Assert.Equal($"backfill {id} of daily: succeeded, 4 of 4 partition(s) succeeded, 0 running, 0 pending, 0 failed, 0 cancelled", followed.ErrorLines[^1]);
        // Each line says more succeeded than the one before: progress, not a repeated snapshot.
        var done = followed.ErrorLines.Select(l => int.Parse(System.Text.RegularExpressions.Regex.Match(l, @"(\d) of 4 partition").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(done.Order(), done);
    }

    [GeneratedRegex("backfill ([^ ]+) handed to the running server")]
    private static partial Regex HandedBackfill();

    [Fact]
    public async Task Backfill_ServerKilledMidway_RestartCompletesEveryPartitionExactlyOnce()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        // Each partition takes about a second (a large count), so the kill lands while some are running.
        File.WriteAllText(Path.Combine(Project, "pipelines", "daily.yaml"), """
            pipeline: daily
            partitions: { type: daily, start: 2025-01-01 }
            components:
              - id: totals
                type: transform.sql
                with: { sql: "SELECT '${partition.key}' AS day, (SELECT count(*) FROM range(400000000)) AS n" }
            """);
        var (first, address) = await ServeAsync();
        using var http = WriteClient(address);
        var started = await http.PostAsJsonAsync("/api/backfills", new { pipeline = "daily", from = "2025-01-01", to = "2025-01-06", concurrency = 2 }, Ct);
        Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
        var id = (await started.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("backfill_id").GetString();

        // Kill -9 once one partition is done and others are still to go.
        var watch = Stopwatch.StartNew();
        while (true)
        {
            var partitions = await Partitions(http, id!);
            if (partitions.Any(p => p == "succeeded") && partitions.Any(p => p is "running" or "pending" or "queued")) break;
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(2), "the backfill made no progress");
            await Task.Delay(100, Ct);
        }
        first.Kill(entireProcessTree: true);
        await first.WaitForExitAsync(Ct);

        var (_, again) = await ServeAsync();
        using var http2 = new HttpClient { BaseAddress = again };
        watch.Restart();
        while ((await http2.GetFromJsonAsync<JsonElement>($"/api/backfills/{id}", Ct)).GetProperty("backfill").GetProperty("status").GetString() == "running")
        {
            Assert.True(watch.Elapsed < TimeSpan.FromMinutes(3), "the backfill did not finish after the restart");
            await Task.Delay(200, Ct);
        }

        var final = await Partitions(http2, id!);
        var history = await http2.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=daily&limit=100", Ct);
        Assert.True(final.All(p => p == "succeeded"), string.Join("\n", history.EnumerateArray().Select(r => $"{r.GetProperty("partition")} {r.GetProperty("status")} {r.GetProperty("error")}")));
        // Exactly once: one succeeded run per partition, and one row per partition in the table.
        var runs = await http2.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=daily&limit=100", Ct);
        var succeeded = runs.EnumerateArray().Where(r => r.GetProperty("status").GetString() == "succeeded").Select(r => r.GetProperty("partition").GetString()).ToList();
        Assert.Equal(6, succeeded.Count);
        Assert.Equal(6, succeeded.Distinct().Count());
        var status = await http2.GetFromJsonAsync<JsonElement>("/api/pipelines/daily/partitions?limit=6", Ct);
        Assert.Equal(6, status.GetProperty("items").EnumerateArray().Count(p => p.GetProperty("state").GetString() == "materialized" && p.GetProperty("asset").GetString() == "totals"
            && string.CompareOrdinal(p.GetProperty("partition").GetString(), "2025-01-06") <= 0));
        await _trib.KillAllAsync(Ct);
        var rows = await Trib.RunAsync("query", "SELECT partition_key, count(*) AS n FROM totals GROUP BY 1 ORDER BY 1", "--project", Project, "--format", "csv");
        Assert.Equal("partition_key,n\n2025-01-01,1\n2025-01-02,1\n2025-01-03,1\n2025-01-04,1\n2025-01-05,1\n2025-01-06,1\n", rows.Out.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task RunAndServe_OnAPostgresRunStore_ShareItsHistoryAndLeaveNoSqliteFile()
    {
        var variable = "TRIB_TEST_RUNS_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), Hello);
        var settings = Path.Combine(Project, "tributary.yaml");
        var text = File.ReadAllText(settings);
        File.WriteAllText(settings, text[..text.IndexOf("run_store:", StringComparison.Ordinal)] + $"run_store: {{ postgres_env: {variable} }}\n" +
            text[(text.IndexOf('\n', text.IndexOf("run_store:", StringComparison.Ordinal)) + 1)..]);
        var missing = await Trib.RunAsync("run", "hello", "--project", Project);
        Assert.Equal($"error: tributary.yaml names run_store.postgres_env '{variable}', but that environment variable is not set.", missing.Error.Trim());
        var connectionString = await postgres.NewSchemaAsync();
        Environment.SetEnvironmentVariable(variable, connectionString);
        try
        {
            var direct = await Trib.RunAsync("run", "hello", "--project", Project);
            Assert.True(direct.ExitCode == 0, direct.Error);
            var (_, address) = await ServeAsync(new() { [variable] = connectionString });

            var handed = await Trib.RunAsync("run", "hello", "--project", Project);

            Assert.True(handed.ExitCode == 0, handed.Error);
            Assert.Contains("submitted to the running server", handed.Error, StringComparison.Ordinal);
            using var http = new HttpClient { BaseAddress = address };
            var runs = await http.GetFromJsonAsync<JsonElement>("/api/runs?pipeline=hello", Ct);
            Assert.Equal([("cli", "succeeded"), ("cli", "succeeded")],
                runs.EnumerateArray().Select(r => (r.GetProperty("trigger").GetString(), r.GetProperty("status").GetString())));
            Assert.False(File.Exists(Path.Combine(Project, ".tributary", "runs.db")));
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }

    internal const string Hello = "pipeline: hello\ncomponents:\n  - { id: greeting, type: transform.sql, with: { sql: \"SELECT 'hi' AS word\" } }\n";

    // A client that sends the project's write secret, as trib does.
    private HttpClient WriteClient(Uri address, string? project = null) =>
        new() { BaseAddress = address, DefaultRequestHeaders = { { "X-Tributary-Write-Secret", File.ReadAllText(Path.Combine(project ?? Project, ".tributary", "write-secret")) } } };

    private static Task<HttpResponseMessage> PostJsonAsync(HttpClient http, string path, string json) =>
        http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"), Ct);

    private static async Task<JsonElement> PipelineAsync(HttpClient http, string name, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/pipelines");
        if (token is not null) request.Headers.Add("Authorization", $"Bearer {token}");
        using var response = await http.SendAsync(request, Ct);
        var all = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        return all.EnumerateArray().Single(p => p.GetProperty("name").GetString() == name);
    }

    // An error answer is ProblemDetails JSON with the status and a detail that says what went wrong.
    private static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        return problem;
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<T>(text, ApiJson.Options)!;
    }

    private static async Task<List<string>> Partitions(HttpClient http, string id) =>
        (await http.GetFromJsonAsync<JsonElement>($"/api/backfills/{id}", Ct)).GetProperty("partitions").EnumerateArray().Select(p => p.GetProperty("status").GetString()!).ToList();
}
