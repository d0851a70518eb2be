using System.Globalization;
using System.Text;
using Tributary.Analytics.Identity;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Identity;

/// <summary>
/// identity.resolve reads distinct identifier combinations grouped in the warehouse; its output must be what adding every row
/// one by one in table order gives (the graph builder fed row by row is the reference): the same profiles and ids, times,
/// sources, refused links, merges and record count.
/// </summary>
public sealed class IdentityCombinationTests(PostgresCluster postgres)
{
    private const string Pipeline = """
        pipeline: p
        components:
          - { id: events, type: source.csv, with: { path: "events*.csv", columns: { user_id: VARCHAR, anonymous_id: VARCHAR, email: VARCHAR, phone: VARCHAR, occurred_at: TIMESTAMP } } }
          - { id: orders, type: source.csv, with: { path: "orders*.csv", columns: { email: VARCHAR, phone: VARCHAR, ordered_at: TIMESTAMP } } }
          - id: ids
            type: identity.resolve
            inputs: [orders, events]
            with:
              identifiers: { orders: "email, phone", events: "user_id, anonymous_id, email, phone" }
              caps: { user_id: "1", email: "2", anonymous_id: "2", phone: "CAP" }
        """;

    // Caps are hit, every combination repeats many times, rows without identifiers or time are mixed in; a second run over
    // more rows keeps and merges the first run's profiles.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_RepeatedCombinationsUnderCaps_GivesWhatEveryRowGives(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var random = new Random(7);
        // Two profiles of the first run that a row of the second joins.
        h.Temp.File("events1.csv", Events(random, 3000) + ",,m1@shop.com,,\n,,,+14155559901,2026-02-01 00:00:00\n");
        h.Temp.File("orders1.csv", Orders(random, 400));
        // A phone cap no link can break: the combinations alone decide (RepeatsMatter stays false).
        var yaml = Pipeline.Replace("CAP", "1000", StringComparison.Ordinal);

        await RunAndCompareAsync(h, yaml, everyRow: false);
        h.Temp.File("events2.csv", Events(random, 3000) + ",,m1@shop.com,+14155559901,\n");
        h.Temp.File("orders2.csv", Orders(random, 400));
        var (refused, merges) = await RunAndCompareAsync(h, yaml, everyRow: false);

        Assert.True(refused > 10, $"only {refused} links refused: the caps are not hit");
        Assert.True(merges > 0, "no profiles merged on the second run");
    }

    // Enough identifiers (over 262,144) for the graph to be written in one range per core and read in many batches, with the
    // small, repeated combinations of the other test mixed in: the table is still what adding every row gives.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_ManyIdentifiersWrittenInRanges_GivesWhatEveryRowGives(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var random = new Random(9);
        var text = new StringBuilder(Events(random, 2000));
        for (var i = 0; i < 140_000; i++)
            text.Append(CultureInfo.InvariantCulture, $"w{i},d{i},,,{new DateTime(2026, 1, 1).AddMinutes(random.Next(500_000)):yyyy-MM-dd HH:mm:ss}\n");
        h.Temp.File("events1.csv", text.ToString());
        h.Temp.File("orders1.csv", Orders(random, 400));

        await RunAndCompareAsync(h, Pipeline.Replace("CAP", "1000", StringComparison.Ordinal), everyRow: false);

        Assert.True((long)(await h.RowsAsync("SELECT count(*) FROM ids"))[0][0]! > 280_000);
    }

    // The graph written in ranges with values of every shape the engines store apart: text DuckDB keeps inside its string
    // header (12 bytes or less) and text it does not, non-ASCII text, times with microseconds and none; then a second run
    // over more rows that keeps the first run's ids (written from their strings beside new numbered ones) and merges some.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_ManyIdentifiersOfEveryShapeInRanges_GivesWhatEveryRowGivesOnBothRuns(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var random = new Random(11);
        static string User(int i) => i % 3 == 0 ? $"usuário-ñ-{i:D7}-ü" : $"w{i}";
        static string Device(int i) => i % 4 == 0 ? $"device-{i:D9}-Ω" : $"d{i}";
        string Time() => random.Next(13) == 0 ? "" : new DateTime(2026, 1, 1).AddTicks(random.NextInt64(500_000L * 60_000_000) * 10).ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);
        var first = new StringBuilder(Events(random, 2000));
        // Every fifth visitor anonymous: the second run joins it to the next visitor's profile (a merge of two first-run ids).
        for (var i = 0; i < 150_000; i++) first.Append(CultureInfo.InvariantCulture, $"{(i % 5 == 0 ? "" : User(i))},{Device(i)},,,{Time()}\n");
        h.Temp.File("events1.csv", first.ToString());
        h.Temp.File("orders1.csv", Orders(random, 400));
        var yaml = Pipeline.Replace("CAP", "1000", StringComparison.Ordinal);

        await RunAndCompareAsync(h, yaml, everyRow: false);
        // Over 262,144 identifiers: written in one range per core.
        Assert.True((long)(await h.RowsAsync("SELECT count(*) FROM ids"))[0][0]! > 1 << 18);
        var second = new StringBuilder("user_id,anonymous_id,email,phone,occurred_at\n");
        for (var i = 0; i < 150_000; i += 5) second.Append(CultureInfo.InvariantCulture, $"{User(i + 1)},{Device(i)},,,{Time()}\n");
        for (var i = 150_000; i < 160_000; i++) second.Append(CultureInfo.InvariantCulture, $"{User(i)},{Device(i)},,,{Time()}\n");
        h.Temp.File("events2.csv", second.ToString());
        var (_, merges) = await RunAndCompareAsync(h, yaml, everyRow: false);

        Assert.True(merges > 20_000, $"only {merges} merges on the second run");
    }

    // The link e1-p2 is refused at first for the phone cap (p2's profile holds p2 and p3 through u1); by the repeat of that row
    // (the only one a day later), e2 has joined p2's profile, so the repeat breaks the email cap, which makes p2 shared. Grouped, the repeat would be lost:
    // every row is read instead.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_RefusalThatARepeatWouldDecideOtherwise_ReadsEveryRow(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("events.csv", "user_id,anonymous_id,email,phone,occurred_at\n,,e1,p1,2026-01-01 00:00:00\nu1,,,p2,2026-01-01 00:00:00\nu1,,,p3,2026-01-01 00:00:00\n"
            + ",,e1,p2,2026-01-01 00:00:00\n,,e2,p3,2026-01-01 00:00:00\n,,e1,p2,2026-01-02 00:00:00\n");
        h.Temp.File("orders.csv", "email,phone,ordered_at\ne9,,2026-01-01 00:00:00\n");
        var yaml = Pipeline.Replace("CAP", "2", StringComparison.Ordinal).Replace("email: \"2\"", "email: \"1\"", StringComparison.Ordinal);

        await RunAndCompareAsync(h, yaml, everyRow: true);

        var profileOf = (await h.RowsAsync("SELECT identifier_value, profile_id FROM ids")).ToDictionary(r => (string)r[0]!, r => (string)r[1]!);
        Assert.Equal(profileOf["e1"], profileOf["p1"]);
        Assert.Equal([profileOf["u1"], profileOf["u1"]], new[] { profileOf["e2"], profileOf["p3"] });
        Assert.Equal(3, new[] { "e1", "u1", "p2" }.Select(v => profileOf[v]).Distinct().Count());
    }

    private const string ScanOrderPipeline = """
        pipeline: p
        components:
          - { id: a, type: source.csv, with: { path: "a*.csv", columns: { user_id: VARCHAR, anonymous_id: VARCHAR, email: VARCHAR, phone: VARCHAR, occurred_at: TIMESTAMP } } }
          - { id: b, type: source.csv, with: { path: "b*.csv", columns: { user_id: VARCHAR, anonymous_id: VARCHAR, email: VARCHAR, phone: VARCHAR, occurred_at: TIMESTAMP } } }
          - { id: fast_a, type: identity.resolve, inputs: [a], with: { identifiers: { a: "user_id, anonymous_id, email, phone" }, caps: { user_id: "1", email: "2", anonymous_id: "2" } } }
          - { id: rows_a, type: identity.resolve, inputs: [a], with: { read_every_row: true, identifiers: { a: "user_id, anonymous_id, email, phone" }, caps: { user_id: "1", email: "2", anonymous_id: "2" } } }
          - { id: fast_b, type: identity.resolve, inputs: [b], with: { identifiers: { b: "user_id, anonymous_id, email, phone" }, caps: { user_id: "1", email: "2", anonymous_id: "2" } } }
          - { id: rows_b, type: identity.resolve, inputs: [b], with: { read_every_row: true, identifiers: { b: "user_id, anonymous_id, email, phone" }, caps: { user_id: "1", email: "2", anonymous_id: "2" } } }
        """;

    // The same rows in two scan orders (b's files are a's upside down; times are in neither's order), each read as distinct
    // combinations and as every row: one identifier -> profile id map for all four, on a first run and on a second over
    // more rows that keeps the first run's ids.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_AnyScanOrderAndEitherRead_GiveTheSameProfileIds(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var random = new Random(5);
        foreach (var (run, rows) in new[] { (1, 2000), (2, 1000) })
        {
            var lines = Events(random, rows).Split('\n', StringSplitOptions.RemoveEmptyEntries);
            h.Temp.File($"a{run}.csv", string.Join('\n', lines) + "\n");
            h.Temp.File($"b{run}.csv", string.Join('\n', lines.Take(1).Concat(lines.Skip(1).Reverse())) + "\n");

            var result = await h.RunAsync(ScanOrderPipeline);

            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            var maps = new Dictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var asset in new[] { "fast_a", "rows_a", "fast_b", "rows_b" })
            {
                maps[asset] = [.. (await h.RowsAsync($"SELECT identifier_type, identifier_value, profile_id FROM {asset}")).Select(r => $"{r[0]}|{r[1]}|{r[2]}").Order(StringComparer.Ordinal)];
                var metadata = (await h.Store.GetMaterializationsAsync(result.RunId, asset, CancellationToken.None)).Single().MetadataJson;
                Assert.Contains($"\"read_every_row\":{(asset.StartsWith("rows", StringComparison.Ordinal) ? "true" : "false")}", metadata, StringComparison.Ordinal);
            }
            Assert.True(maps["rows_a"].Length > 300, $"only {maps["rows_a"].Length} identifiers");
            Assert.Equal(maps["rows_a"], maps["fast_a"]);
            Assert.Equal(maps["rows_a"], maps["rows_b"]);
            Assert.Equal(maps["rows_a"], maps["fast_b"]);
        }
    }

    // customer_ltv then churn_prevention on one small demo (the second reads the first's identity_graph as last run's
    // ids), as shipped and with every row read: the same ids after each.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_TwoTemplatesInSequenceOnTheDemo_GiveTheIdsOfReadingEveryRow(string engine)
    {
        await using var fast = await ComponentHarness.CreateAsync(engine, postgres);
        await using var rows = await ComponentHarness.CreateAsync(engine, postgres);
        foreach (var h in new[] { fast, rows })
            DemoStoreGenerator.Write(Path.Combine(h.Temp.Path, "data", "demo"), new DemoStoreOptions(Customers: 300, Seed: 3));
        foreach (var template in new[] { "customer_ltv.yaml", "churn_prevention.yaml" })
        {
            var shipped = Path.Combine(RepositoryFiles.Templates, template);
            var text = File.ReadAllText(shipped);
            Assert.Equal(1, text.Split("      identifiers: {").Length - 1);
            var everyRow = Path.Combine(rows.Temp.Path, template);
            File.WriteAllText(everyRow, text.Replace("      identifiers: {", "      read_every_row: true\n      identifiers: {", StringComparison.Ordinal));

            var results = new[] { await fast.RunFileAsync(shipped, selection: "+identity_graph"), await rows.RunFileAsync(everyRow, selection: "+identity_graph") };

            Assert.All(results, r => Assert.True(r.Status == RunStatus.Succeeded, r.Error));
            var maps = new List<string[]>();
            foreach (var h in new[] { fast, rows })
                maps.Add([.. (await h.RowsAsync("SELECT identifier_type, identifier_value, profile_id FROM identity_graph")).Select(r => $"{r[0]}|{r[1]}|{r[2]}").Order(StringComparer.Ordinal)]);
            Assert.True(maps[0].Length > 500, $"{template}: only {maps[0].Length} identifiers");
            Assert.Equal(maps[1], maps[0]);
        }
    }

    // Runs the pipeline, then adds the same rows one by one to a graph, as identity.resolve did before it grouped them, with
    // last run's profile ids; asserts the two agree. Returns the counts of refused links and of this run's merges.
    private static async Task<(int Refused, int Merges)> RunAndCompareAsync(ComponentHarness h, string yaml, bool everyRow)
    {
        // Streamed: the harness's RowsAsync stops at 10,000 rows, fewer than a large graph's.
        var previous = await TableExistsAsync(h, "ids") ? await StreamedAsync(h, "SELECT identifier_type, identifier_value, profile_id FROM ids") : [];

        var result = await h.RunAsync(yaml);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);

        var caps = Caps(yaml);
        var graph = new IdentityGraphBuilder(new IdentityOptions(caps, ["user_id", "email", "hubspot_id", "stripe_customer_id", "shopify_customer_id", "phone", "device_id", "anonymous_id"]));
        foreach (var (input, columns, time) in new[] { ("orders", new[] { "email", "phone" }, "ordered_at"), ("events", new[] { "user_id", "anonymous_id", "email", "phone" }, "occurred_at") })
        {
            var select = string.Join(", ", columns.Select(c => $"CAST({c} AS VARCHAR)")) + $", {time}";
            await foreach (var row in h.Warehouse.StreamRecordsAsync($"SELECT {select} FROM {input}", null, CancellationToken.None))
            {
                var ids = Enumerable.Range(0, columns.Length).Where(i => !row.IsDBNull(i)).Select(i => new Identifier(columns[i], row.GetString(i).Trim())).ToArray();
                if (ids.Length > 0) graph.Add(ids, row.IsDBNull(columns.Length) ? null : row.GetDateTime(columns.Length), input);
            }
        }
        foreach (var r in previous) graph.AddPrevious((string)r[0]!, (string)r[1]!, (string)r[2]!);
        var expected = graph.Link();

        static string Time(object? t) => t is DateTime d ? d.ToString("O", CultureInfo.InvariantCulture) : "-";
        Assert.Equal(
            expected.Assignments().Select(a => $"{a.Identifier.Type}|{a.Identifier.Value}|{a.ProfileId}|{Time(a.FirstSeen)}|{Time(a.LastSeen)}|{a.Source}").Order(StringComparer.Ordinal),
            (await StreamedAsync(h, "SELECT identifier_type, identifier_value, profile_id, first_seen, last_seen, source FROM ids"))
                .Select(r => $"{r[0]}|{r[1]}|{r[2]}|{Time(r[3])}|{Time(r[4])}|{r[5]}").Order(StringComparer.Ordinal));
        Assert.Equal(
            expected.Refused.Select(r => $"{r.From.Type}|{r.From.Value}|{r.To.Type}|{r.To.Value}|{r.Reason}").Order(StringComparer.Ordinal),
            (await StreamedAsync(h, "SELECT from_type, from_value, to_type, to_value, reason FROM ids__refused_links")).Select(r => $"{r[0]}|{r[1]}|{r[2]}|{r[3]}|{r[4]}").Order(StringComparer.Ordinal));
        // This run's merges by their run id: the table keeps every earlier run's, and a SELECT has no order to skip them by.
        var merges = (await StreamedAsync(h, "SELECT surviving_profile, merged_profile, run_id FROM ids__merges")).Where(m => Equals(m[2], result.RunId)).ToList();
        Assert.Equal(expected.Merges.Select(m => $"{m.Surviving}|{m.Merged}").Order(StringComparer.Ordinal),
            merges.Select(m => $"{m[0]}|{m[1]}").Order(StringComparer.Ordinal));

        var metadata = (await h.Store.GetMaterializationsAsync(result.RunId, "ids", CancellationToken.None)).Single().MetadataJson;
        Assert.Contains($"\"records\":{graph.Records}", metadata, StringComparison.Ordinal);
        Assert.Contains($"\"profiles\":{expected.Count}", metadata, StringComparison.Ordinal);
        Assert.Contains($"\"read_every_row\":{(everyRow ? "true" : "false")}", metadata, StringComparison.Ordinal);
        return (expected.Refused.Count, expected.Merges.Count);
    }

    // Every row of a query (the harness's RowsAsync stops at 10,000).
    private static async Task<List<object?[]>> StreamedAsync(ComponentHarness h, string sql)
    {
        var rows = new List<object?[]>();
        await foreach (var r in h.Warehouse.StreamRecordsAsync(sql, null, CancellationToken.None))
            rows.Add([.. Enumerable.Range(0, r.FieldCount).Select(i => r.IsDBNull(i) ? null : r.GetValue(i))]);
        return rows;
    }

    private static async Task<bool> TableExistsAsync(ComponentHarness h, string table) =>
        await h.Warehouse.DescribeTableAsync(table, CancellationToken.None) is not null;

    private static Dictionary<string, int> Caps(string yaml)
    {
        var caps = new Dictionary<string, int>(StringComparer.Ordinal) { ["stripe_customer_id"] = 3, ["hubspot_id"] = 2 };
        var line = yaml.Split('\n').Single(l => l.TrimStart().StartsWith("caps:", StringComparison.Ordinal));
        foreach (var part in line[(line.IndexOf('{') + 1)..line.IndexOf('}')].Split(','))
        {
            var kv = part.Split(':');
            caps[kv[0].Trim()] = int.Parse(kv[1].Trim().Trim('"'), CultureInfo.InvariantCulture);
        }
        return caps;
    }

    // Rows drawn from a few hundred combinations (each repeats ~10 times), some identifiers padded with spaces, some rows with
    // no identifier or no time, times unordered.
    private static string Events(Random random, int rows)
    {
        var text = new StringBuilder("user_id,anonymous_id,email,phone,occurred_at\n");
        for (var i = 0; i < rows; i++)
        {
            var combo = random.Next(300);
            var user = combo % 3 == 0 ? "" : $"u{combo % 120}";
            var device = combo % 5 == 0 ? "" : $"a{(combo * 7) % 170}";
            var email = combo % 4 == 0 ? $"e{combo % 90}@shop.com" : combo % 11 == 0 ? $" e{combo % 90}@shop.com " : "";
            var phone = combo % 6 == 1 ? $"+1415555{combo % 80:D4}" : "";
            if (combo == 17) (user, device, email, phone) = ("", "", "", "");
            var time = random.Next(10) == 0 ? "" : new DateTime(2026, 1, 1).AddMinutes(random.Next(500_000)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{user},{device},{email},{phone},{time}\n");
        }
        return text.ToString();
    }

    private static string Orders(Random random, int rows)
    {
        var text = new StringBuilder("email,phone,ordered_at\n");
        for (var i = 0; i < rows; i++)
        {
            var combo = random.Next(120);
            var email = combo % 7 == 0 ? "" : $"e{(combo * 5) % 90}@shop.com";
            var phone = combo % 2 == 0 ? $"+1415555{combo % 80:D4}" : "";
            var time = new DateTime(2026, 1, 1).AddHours(random.Next(8000)).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            text.Append(CultureInfo.InvariantCulture, $"{email},{phone},{time}\n");
        }
        return text.ToString();
    }
}
