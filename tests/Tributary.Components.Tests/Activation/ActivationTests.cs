using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tributary.Components.Activation;
using Tributary.Core.Components;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Activation;

public sealed class ActivationTests(PostgresCluster postgres)
{
    private const string Customers = """
        pipeline: p
        components:
          - id: customers
            type: source.csv
            with: { path: customers.csv, columns: { customer_id: BIGINT, email: VARCHAR, phone: VARCHAR, tier: VARCHAR, clv: DOUBLE, marketing_consent: BOOLEAN } }
        """ + "\n";

    // Everyone consents unless a row says otherwise in a sixth field.
    private static void WriteCustomers(ComponentHarness h, params string[] rows) =>
        File.WriteAllLines(Path.Combine(h.Temp.Path, "customers.csv"), ["customer_id,email,phone,tier,clv,marketing_consent", .. rows.Select(r => r.Count(c => c == ',') == 4 ? r + ",true" : r)]);

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task AudienceFile_MetaFormat_WritesHashedMatchKeysPerSegment(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1, Test@Example.com ,+1 415 555 0132,gold,100", "2,bad-email,,gold,50", "3,x@y.com,(415) 555-0199,bronze,5", "4,,,bronze,1");

        var result = await h.RunAsync(Customers + """
              - id: audiences
                type: activate.audience_file
                inputs: [customers]
                with: { path: "out/meta_{segment}.csv", format: meta_custom_audience, segment_column: tier, phone_column: phone }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var gold = File.ReadAllLines(Path.Combine(h.Temp.Path, "out/meta_gold.csv"));
        Assert.Equal("email,phone", gold[0]);
        Assert.Equal($"{ContactNormalizer.Sha256("test@example.com")},{ContactNormalizer.Sha256("14155550132")}", gold[1]);
        Assert.Equal(2, gold.Length); // customer 2 has neither a valid email nor a phone
        var bronze = File.ReadAllLines(Path.Combine(h.Temp.Path, "out/meta_bronze.csv"));
        Assert.Equal($"{ContactNormalizer.Sha256("x@y.com")},{ContactNormalizer.Sha256("14155550199")}", bronze[1]);
        Assert.DoesNotContain("example.com", string.Join("\n", gold.Concat(bronze)), StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task AudienceFile_SegmentsCleaningToOneName_WriteDistinctFiles(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,a@x.com,,a,1", "2,b@x.com,,b,1", "3,c@x.com,,x y,1", "4,d@x.com,,X_Y,1");

        var result = await h.RunAsync(Customers + """
              - { id: aud, type: activate.audience_file, inputs: [customers], with: { path: "out/aud/{segment}.csv", format: meta_custom_audience, segment_column: tier } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var spaced = $"x_y-{ContactNormalizer.Sha256("x y")![..8]}.csv";
        var upper = $"x_y-{ContactNormalizer.Sha256("X_Y")![..8]}.csv";
        Assert.Equal(["a.csv", "b.csv", spaced, upper], Directory.GetFiles(Path.Combine(h.Temp.Path, "out/aud")).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(ContactNormalizer.Sha256("c@x.com"), File.ReadAllLines(Path.Combine(h.Temp.Path, "out/aud", spaced))[1].Split(',')[0]);
        Assert.Equal(ContactNormalizer.Sha256("d@x.com"), File.ReadAllLines(Path.Combine(h.Temp.Path, "out/aud", upper))[1].Split(',')[0]);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task AudienceFile_SegmentEmptiedSinceTheLastRun_ItsFileIsWrittenWithNoOne(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string Pipeline = Customers + """
              - { id: aud, type: activate.audience_file, inputs: [customers], with: { path: "out/aud/{segment}.csv", format: meta_custom_audience, segment_column: tier } }
              - { id: plain, type: activate.audience_file, inputs: [customers], with: { path: "out/plain/{segment}.csv", segment_column: tier } }
            """;
        WriteCustomers(h, "1,a@x.com,,gold,1", "2,b@x.com,,at_risk,1");
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(Pipeline)).Status);
        Assert.Equal(2, File.ReadAllLines(Path.Combine(h.Temp.Path, "out/aud/at_risk.csv")).Length);

        // b@x.com is no longer at risk: an ad platform reading the folder must not go on targeting them.
        WriteCustomers(h, "1,a@x.com,,gold,1", "2,b@x.com,,gold,1");
        var result = await h.RunAsync(Pipeline);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["email,phone"], File.ReadAllLines(Path.Combine(h.Temp.Path, "out/aud/at_risk.csv")));
        Assert.Equal(3, File.ReadAllLines(Path.Combine(h.Temp.Path, "out/aud/gold.csv")).Length);
        Assert.Equal(["customer_id,email,phone,tier,clv,marketing_consent"], File.ReadAllLines(Path.Combine(h.Temp.Path, "out/plain/at_risk.csv")));
        var log = string.Join("\n", (await h.Store.GetEventsAsync(result.RunId, CancellationToken.None)).Select(e => e.Message));
        Assert.Contains("segment 'at_risk' has no one in it now: out/aud/at_risk.csv is written empty", log, StringComparison.Ordinal);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task AudienceFile_MoreSegmentsThanTheLimit_FailsNamingTheLimit(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, [.. Enumerable.Range(0, AudienceFile.MaxSegmentFiles + 1).Select(i => $"{i},c{i}@x.com,,t{i},1")]);

        var result = await h.RunAsync(Customers + """
              - { id: aud, type: activate.audience_file, inputs: [customers], with: { path: "out/aud/{segment}.csv", segment_column: tier } }
            """);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Contains("segment_column 'tier' has more than 10000 distinct values, and {segment} in path writes one file per value. " +
            "Split by a column with fewer values, or list the wanted ones in segments.", result.Error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(h.Temp.Path, "out/aud")));
    }

    [Fact]
    public void SegmentFileNames_HashSuffixMatchesAnotherValue_Refuses()
    {
        var suffixed = $"x_y-{ContactNormalizer.Sha256("x y")![..8]}";
        var e = Assert.Throws<InputDataException>(() => AudienceFile.SegmentFileNames(["x y", "X_Y", suffixed]));
        Assert.Equal($"segment values 'x y' and '{suffixed}' both map to the file name '{suffixed}'. " +
            "Rename one of them in the input, or write them with segments in two steps.", e.Message);
    }

    [Fact]
    public async Task AudienceFile_GoogleFormat_HashesE164WithPlus()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, "1,a@b.com,+44 20 7946 0958,gold,1");

        var result = await h.RunAsync(Customers + """
              - { id: google, type: activate.audience_file, inputs: [customers], with: { path: out/google.csv, format: google_customer_match, phone_column: phone } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(["Email,Phone", $"{ContactNormalizer.Sha256("a@b.com")},{ContactNormalizer.Sha256("+442079460958")}"],
            File.ReadAllLines(Path.Combine(h.Temp.Path, "out/google.csv")));
    }

    // The same person twice was two rows of an upload; and Google's gmail.com dots and +tags were hashed as written, so they did not match.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task AudienceFile_SamePersonTwice_IsOneRowPerFile_WithEachPlatformsEmailNormalization(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteCustomers(h, "1,Cloudy.SanFrancisco+shopping@gmail.com,,gold,1", "2,cloudysanfrancisco@gmail.com,,gold,2", "3,a@x.com,,gold,3", "4, A@X.com ,,silver,4", "5,a@x.com,,gold,5");

        var result = await h.RunAsync(Customers + """
              - { id: google, type: activate.audience_file, inputs: [customers], with: { path: out/google.csv, format: google_customer_match, segment_column: tier } }
              - { id: meta, type: activate.audience_file, inputs: [customers], with: { path: "out/meta_{segment}.csv", format: meta_custom_audience, segment_column: tier } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        // SHA-256 of cloudysanfrancisco@gmail.com, cloudy.sanfrancisco+shopping@gmail.com and a@x.com, from Python's hashlib.
        const string Gmail = "223ebda6f6889b1494551ba902d9d381daf2f642bae055888e96343d53e9f9c4";
        const string Tagged = "8dd4a9bf850242873c14976125edabc35096192b784626a5641a7d2de56e3c1e";
        const string Ax = "478abec7430569163161dfea8513b8ce89d05f559456a26e945c66e1fe55a29d";
        var google = File.ReadAllLines(Path.Combine(h.Temp.Path, "out/google.csv"));
        Assert.Equal("Email,Phone", google[0]);
        Assert.Equal([$"{Gmail},", $"{Ax},"], google.Skip(1).Order(StringComparer.Ordinal));
        var gold = File.ReadAllLines(Path.Combine(h.Temp.Path, "out/meta_gold.csv"));
        Assert.Equal("email,phone", gold[0]);
        Assert.Equal([$"{Gmail},", $"{Ax},", $"{Tagged},"], gold.Skip(1).Order(StringComparer.Ordinal));
        Assert.Equal(["email,phone", $"{Ax},"], File.ReadAllLines(Path.Combine(h.Temp.Path, "out/meta_silver.csv")));
        Assert.Equal(4L, Convert.ToInt64((await h.RowsAsync("SELECT count(*) FROM meta"))[0][0], CultureInfo.InvariantCulture));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task AudienceFile_RowsWithoutContactAndDuplicates_AreCountedInMetadataAndLogged(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // 7 in: one refused consent, two with no usable email or phone, "a@x.com" three times (one merged per segment: 1), one other.
        WriteCustomers(h, "1,a@x.com,,gold,1", "2, A@X.com ,,gold,2", "3,a@x.com,,silver,3", "4,bad-email,,gold,4", "5,,,gold,5", "6,b@x.com,,gold,6", "7,c@x.com,,gold,7,false");
        var ct = TestContext.Current.CancellationToken;

        var result = await h.RunAsync(Customers + """
              - { id: meta, type: activate.audience_file, inputs: [customers], with: { path: out/meta.csv, format: meta_custom_audience, segment_column: tier } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var m = Assert.Single(await h.Store.GetMaterializationsAsync(result.RunId, "meta", ct));
        Assert.Equal(3, m.RowCount);
        var metadata = System.Text.Json.Nodes.JsonNode.Parse(m.MetadataJson)!.AsObject();
        // 7 in - 1 without consent - 2 without contact - 1 duplicate = 3 written.
        Assert.Equal((7L, 1L, 2L, 1L), ((long)metadata["rows_in"]!, (long)metadata["excluded_no_consent"]!, (long)metadata["rows_without_contact"]!, (long)metadata["duplicates_merged"]!));
        Assert.Contains(await h.Store.GetEventsAsync(result.RunId, ct), e => e.Asset == "meta"
            && e.Message == "6 consented row(s): 2 left out with no usable email or phone, 1 merged as duplicates once normalized, 3 in the audience");
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task TableSync_Mirror_LogsAddedUpdatedRemovedAndRewritesTarget(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string sync = Customers + """
              - { id: crm_sync, type: activate.table, inputs: [customers], with: { target: crm_customers, mode: mirror, key: [customer_id] } }
            """;
        WriteCustomers(h, "1,a@x.com,,gold,10", "2,b@x.com,,gold,20", "3,c@x.com,,bronze,30");
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(sync)).Status);
        Assert.Equal(3, (await h.RowsAsync("SELECT * FROM crm_sync WHERE change = 'added'")).Count);

        WriteCustomers(h, "1,a@x.com,,gold,10", "2,b@x.com,,platinum,20", "4,d@x.com,,bronze,40");
        var result = await h.RunAsync(sync);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var changes = (await h.RowsAsync("SELECT change, customer_id FROM crm_sync ORDER BY change, customer_id"))
            .Select(r => ((string)r[0]!, Convert.ToInt64(r[1], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal([("added", 4L), ("removed", 3L), ("updated", 2L)], changes);
        Assert.Equal([1L, 2L, 4L], (await h.RowsAsync("SELECT customer_id FROM crm_customers ORDER BY 1")).Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task TableSync_UpsertAndAppend_KeepRowsTheInputLacks(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        const string upsert = Customers + """
              - { id: upsert_sync, type: activate.table, inputs: [customers], with: { target: crm_upsert, mode: upsert, key: [customer_id] } }
              - { id: append_sync, type: activate.table, inputs: [customers], with: { target: crm_append, mode: append } }
            """;
        WriteCustomers(h, "1,a@x.com,,gold,10", "2,b@x.com,,gold,20");
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(upsert)).Status);
        WriteCustomers(h, "2,b@x.com,,platinum,25", "3,c@x.com,,bronze,30");

        var result = await h.RunAsync(upsert);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT customer_id, tier FROM crm_upsert ORDER BY 1")).Select(r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), (string)r[1]!));
        Assert.Equal([(1L, "gold"), (2L, "platinum"), (3L, "bronze")], rows);
        Assert.Equal(4, (await h.RowsAsync("SELECT * FROM crm_append")).Count);
    }

    [Fact]
    public async Task Webhook_RetriesSignsAndDeadLettersWhatStillFails()
    {
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);
        WriteCustomers(h, "1,a@x.com,,gold,10", "2,b@x.com,,gold,20", "3,c@x.com,,gold,30", "4,d@x.com,,gold,40", "5,e@x.com,,gold,50");
        using var receiver = new Receiver(batch => batch switch
        {
            1 => [429, 200],           // rate limited once, then accepted
            2 => [503, 502, 200],      // two server errors, then accepted
            _ => [500, 500, 500, 500], // never accepted
        });

        var result = await h.RunAsync(Customers + $$"""
              - id: crm_hook
                type: activate.webhook
                inputs: [customers]
                with: { url: "{{receiver.Url}}", secret_env: HOOK_SECRET, batch_size: 2, max_retries: 3, retry_delay: 1ms, max_failed_ratio: 0.5, allow_private_network: true }
            """, name => name == "HOOK_SECRET" ? "s3cret" : null);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var log = (await h.RowsAsync("SELECT batch, rows, status_code, attempts, delivered FROM crm_hook ORDER BY batch"))
            .Select(r => (Convert.ToInt64(r[0], CultureInfo.InvariantCulture), Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Convert.ToInt64(r[2], CultureInfo.InvariantCulture),
                Convert.ToInt64(r[3], CultureInfo.InvariantCulture), (bool)r[4]!)).ToList();
        Assert.Equal([(1L, 2L, 200L, 2L, true), (2L, 2L, 200L, 3L, true), (3L, 1L, 500L, 4L, false)], log);
        var dead = Assert.Single(await h.RowsAsync("SELECT batch, payload FROM crm_hook__dead_letter"));
        using var payload = JsonDocument.Parse((string)dead[1]!);
        Assert.Equal(5, payload.RootElement.GetProperty("rows")[0].GetProperty("customer_id").GetInt64());
        Assert.All(receiver.Requests, r => Assert.Equal("sha256=" + Webhook.Signature(Encoding.UTF8.GetBytes("s3cret"), r.Timestamp, r.Body), r.Signature));
        Assert.Equal(9, receiver.Requests.Count);
        // The step succeeded, but the run says plainly that a batch did not reach the CRM.
        var warning = Assert.Single(await h.Store.GetChecksAsync(result.RunId, CancellationToken.None), c => c.Asset == "crm_hook");
        Assert.Equal(("warning", false, false), (warning.Check, warning.Passed, warning.Blocking));
        Assert.StartsWith("1 row(s) in 1 of 3 batch(es) could not be delivered (first: ", warning.Detail, StringComparison.Ordinal);
        Assert.EndsWith("they are in crm_hook__dead_letter", warning.Detail, StringComparison.Ordinal);
    }

    /// <summary>
    /// A local HTTP receiver answering each batch's attempts with scripted status codes; a 429 carries Retry-After
    /// <paramref name="retryAfter"/>, a 3xx Location <paramref name="location"/>, and any other failure the body <paramref name="answer"/>.
    /// </summary>
    internal sealed class Receiver : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Func<int, int[]> _script;
        private readonly string _retryAfter;
        private readonly string? _answer;
        private readonly string? _location;
        private readonly Dictionary<int, int> _attempts = [];
        private readonly Task _loop;

        public Receiver(Func<int, int[]> script, string retryAfter = "0", string? answer = null, string? location = null)
        {
            _script = script;
            _retryAfter = retryAfter;
            _answer = answer;
            _location = location;
            using (var probe = new TcpListener(IPAddress.Loopback, 0))
            {
                probe.Start();
                Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/hook/";
            }
            _listener.Prefixes.Add(Url);
            _listener.Start();
            _loop = Task.Run(LoopAsync);
        }

        public string Url { get; }
        public List<(string Timestamp, string Signature, string Body)> Requests { get; } = [];
        /// <summary>Each request's Idempotency-Key, in the order of <see cref="Requests"/>.</summary>
        public List<string> IdempotencyKeys { get; } = [];
        /// <summary>Each request's User-Agent, in the order of <see cref="Requests"/>.</summary>
        public List<string?> UserAgents { get; } = [];

        private async Task LoopAsync()
        {
            while (_listener.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await _listener.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var reader = new StreamReader(context.Request.InputStream);
                var body = await reader.ReadToEndAsync();
                var batch = JsonDocument.Parse(body).RootElement.GetProperty("batch").GetInt32();
                int status;
                lock (Requests)
                {
                    Requests.Add((context.Request.Headers["X-Tributary-Timestamp"]!, context.Request.Headers["X-Tributary-Signature"]!, body));
                    IdempotencyKeys.Add(context.Request.Headers["Idempotency-Key"]!);
                    UserAgents.Add(context.Request.UserAgent);
                    var n = _attempts[batch] = _attempts.GetValueOrDefault(batch) + 1;
                    var script = _script(batch);
                    status = script[Math.Min(n, script.Length) - 1];
                }
                context.Response.StatusCode = status;
                if (status == 429) context.Response.Headers["Retry-After"] = _retryAfter;
                if (status is >= 300 and < 400 && _location is not null) context.Response.Headers["Location"] = _location;
                if (status >= 300 && _answer is not null)
                {
                    var bytes = Encoding.UTF8.GetBytes(_answer);
                    await context.Response.OutputStream.WriteAsync(bytes);
                }
                context.Response.Close();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
