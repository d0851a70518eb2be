using System.Globalization;
using System.Text;
using Tributary.Components.Samples.DemoStore;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Identity;

/// <summary>
/// identity.resolve with <c>label_propagation_above</c> finds the components in SQL, on PostgreSQL and on DuckDB; it must write what the
/// in-memory graph writes from the same inputs: every identifier's profile id, times and source, the refused links, the
/// merges and the counts, on a first run and on a second that keeps and merges the first run's ids.
/// </summary>
public sealed class IdentityLabelPropagationTests(PostgresCluster postgres)
{
    private const string Pipeline = """
        pipeline: p
        components:
          - { id: events, type: source.csv, with: { path: "events*.csv", columns: { user_id: VARCHAR, anonymous_id: VARCHAR, email: VARCHAR, phone: VARCHAR, occurred_at: TIMESTAMP } } }
          - { id: links, type: source.csv, with: { path: "links*.csv", columns: { device_id: VARCHAR, cookie_id: VARCHAR, seen_on: DATE } } }
          - id: memory
            type: identity.resolve
            inputs: [events, links]
            with:
              identifiers: { events: "user_id, anonymous_id, email, phone", links: "device_id, cookie_id" }
              caps: { user_id: "1", email: "2", anonymous_id: "3" }
              blocklist: [blocked@shop.com]
              blocklist_patterns: ['^spam\d+@']
          - id: sql
            type: identity.resolve
            inputs: [events, links]
            with:
              label_propagation_above: 0
              identifiers: { events: "user_id, anonymous_id, email, phone", links: "device_id, cookie_id" }
              caps: { user_id: "1", email: "2", anonymous_id: "3" }
              blocklist: [blocked@shop.com]
              blocklist_patterns: ['^spam\d+@']
        """;

    // Hand-made: a path of 1,200 identifiers whose numbering is shuffled along it (labels must cross it), stars, chains,
    // components over the user_id and email caps (linked in memory, with a shared anonymous id), blocked and placeholder
    // values, padded values, rows without time; then a second run whose new rows join two earlier profiles.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_HandMadeGraph_InSqlGivesTheInMemoryProfiles(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var random = new Random(11);
        h.Temp.File("events1.csv", HandMadeEvents());
        h.Temp.File("links1.csv", PathRows(random, 600));

        var first = await RunAndCompareAsync(h);
        // The path is one profile (the in-memory linker split it when a node's parent was not its root).
        Assert.Equal([1200L], (await h.RowsAsync("SELECT count(*) FROM memory WHERE source = 'links' GROUP BY profile_id")).Select(r => Convert.ToInt64(r[0], CultureInfo.InvariantCulture)));

        TestContext.Current.TestOutputHelper?.WriteLine($"{engine}: {first.Rounds} rounds, {first.Capped} components over a cap");
        // A path of 1,200 nodes takes some hundreds of rounds of plain propagation; jumping to the label's label takes far fewer.
        Assert.InRange(first.Rounds, 2, 60);
        Assert.True(first.Capped >= 2, $"{first.Capped} components over a cap");
        Assert.True(first.Refused >= 2, $"only {first.Refused} refused links");

        h.Temp.File("events2.csv", "user_id,anonymous_id,email,phone,occurred_at\n,,m1@shop.com,+14155559901,2026-03-01 00:00:00\n,,c1@shop.com,,2026-03-02 00:00:00\n,star,c3@shop.com,,\n");
        var second = await RunAndCompareAsync(h);
        Assert.True(second.Merges >= 1, "no merge on the second run");
    }

    // customer_ltv then churn_prevention on a small demo (both write identity_graph): the shipped templates and the same with
    // label_propagation_above: 0 give one identifier -> profile id map after each.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Resolve_TwoTemplatesOnTheDemo_InSqlGivesTheInMemoryIds(string engine)
    {
        await using var memory = await ComponentHarness.CreateAsync(engine, postgres);
        await using var sql = await ComponentHarness.CreateAsync(engine, postgres);
        foreach (var h in new[] { memory, sql })
            DemoStoreGenerator.Write(Path.Combine(h.Temp.Path, "data", "demo"), new DemoStoreOptions(Customers: 300, Seed: 3));
        foreach (var template in new[] { "customer_ltv.yaml", "churn_prevention.yaml" })
        {
            var shipped = Path.Combine(RepositoryFiles.Templates, template);
            var text = File.ReadAllText(shipped);
            var inSql = Path.Combine(sql.Temp.Path, template);
            File.WriteAllText(inSql, text.Replace("      identifiers: {", "      label_propagation_above: 0\n      identifiers: {", StringComparison.Ordinal));

            var results = new[] { await memory.RunFileAsync(shipped, selection: "+identity_graph"), await sql.RunFileAsync(inSql, selection: "+identity_graph") };

            Assert.All(results, r => Assert.True(r.Status == RunStatus.Succeeded, r.Error));
            var maps = new List<string[]>();
            foreach (var h in new[] { memory, sql })
                maps.Add([.. (await h.RowsAsync("SELECT identifier_type, identifier_value, profile_id, first_seen, last_seen, source FROM identity_graph"))
                    .Select(r => string.Join('|', r.Select(Text))).Order(StringComparer.Ordinal)]);
            Assert.True(maps[0].Length > 500, $"{template}: only {maps[0].Length} identifiers");
            Assert.Equal(maps[0], maps[1]);
            var metadata = (await sql.Store.GetMaterializationsAsync(results[1].RunId, "identity_graph", CancellationToken.None)).Single().MetadataJson;
            Assert.Contains("\"label_propagation_rounds\":", metadata, StringComparison.Ordinal);
        }
    }

    private static string Text(object? value) => value switch
    {
        null => "-",
        DateTime t => t.ToString("O", CultureInfo.InvariantCulture),
        _ => Convert.ToString(value, CultureInfo.InvariantCulture)!,
    };

    private sealed record Counts(int Rounds, int Capped, int Refused, int Merges);

    // Runs both assets; asserts their graphs, refused links, this run's merges and counts agree.
    private static async Task<Counts> RunAndCompareAsync(ComponentHarness h)
    {
        var mergesBefore = await h.Warehouse.DescribeTableAsync("memory__merges", CancellationToken.None) is null ? 0
            : Convert.ToInt32((await h.RowsAsync("SELECT count(*) FROM memory__merges"))[0][0], CultureInfo.InvariantCulture);
        var result = await h.RunAsync(Pipeline);
        Assert.True(result.Status == RunStatus.Succeeded, result.Error);

        var tables = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var asset in new[] { "memory", "sql" })
        {
            tables[asset] = [.. (await h.RowsAsync($"SELECT identifier_type, identifier_value, profile_id, first_seen, last_seen, source FROM {asset}"))
                .Select(r => string.Join('|', r.Select(Text))).Order(StringComparer.Ordinal)];
            tables[asset + "_refused"] = [.. (await h.RowsAsync($"SELECT from_type, from_value, to_type, to_value, reason FROM {asset}__refused_links"))
                .Select(r => string.Join('|', r.Select(Text))).Order(StringComparer.Ordinal)];
            tables[asset + "_merges"] = [.. (await h.RowsAsync($"SELECT surviving_profile, merged_profile FROM {asset}__merges")).Skip(mergesBefore)
                .Select(r => string.Join('|', r.Select(Text))).Order(StringComparer.Ordinal)];
        }
        Assert.True(tables["memory"].Length > 1200, $"only {tables["memory"].Length} identifiers");
        Assert.True(tables["memory"].SequenceEqual(tables["sql"]), "in memory only:\n" + string.Join("\n", tables["memory"].Except(tables["sql"]).Take(40)) + "\nin SQL only:\n" + string.Join("\n", tables["sql"].Except(tables["memory"]).Take(40)));
        Assert.Equal(tables["memory_refused"], tables["sql_refused"]);
        Assert.Equal(tables["memory_merges"], tables["sql_merges"]);
        Assert.DoesNotContain(tables["sql"], r => r.Contains("blocked@", StringComparison.Ordinal) || r.Contains("spam1@", StringComparison.Ordinal)
            || r.Contains("noreply", StringComparison.Ordinal) || r.Contains("+15555555555", StringComparison.Ordinal));

        var memory = (await h.Store.GetMaterializationsAsync(result.RunId, "memory", CancellationToken.None)).Single().MetadataJson;
        var sql = (await h.Store.GetMaterializationsAsync(result.RunId, "sql", CancellationToken.None)).Single().MetadataJson;
        foreach (var key in new[] { "profiles", "records", "merges", "refused_links" })
            Assert.Equal(Number(memory, key), Number(sql, key));
        Assert.Contains("label_propagation_rounds", sql, StringComparison.Ordinal);
        return new Counts(Number(sql, "label_propagation_rounds"), Number(sql, "capped_components"), Number(sql, "refused_links"), Number(sql, "merges"));
    }

    private static int Number(string json, string key)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.TryGetProperty(key, out var value) ? value.GetInt32() : -1;
    }

    // Stars (one anonymous id seen with many emails under the cap, then one over it), chains of user -> email -> phone,
    // two users joined through an email (over the user_id cap), blocked and placeholder values, padding and missing times.
    private static string HandMadeEvents()
    {
        var text = new StringBuilder("user_id,anonymous_id,email,phone,occurred_at\n");
        var t = new DateTime(2026, 1, 1);
        string At(int minutes) => t.AddMinutes(minutes).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        for (var i = 0; i < 2; i++) text.Append(CultureInfo.InvariantCulture, $",star,s{i}@shop.com,,{At(10 + i)}\n");
        for (var i = 0; i < 6; i++) text.Append(CultureInfo.InvariantCulture, $",kiosk,k{i}@shop.com,,{At(20 + i)}\n");
        for (var i = 0; i < 40; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"u{i},,c{i}@shop.com,,{At(100 + 3 * i)}\n");
            text.Append(CultureInfo.InvariantCulture, $",a{i},c{i}@shop.com, +1415555{i:D4} ,{(i % 4 == 0 ? "" : At(50 + 2 * i))}\n");
        }
        text.Append(CultureInfo.InvariantCulture, $"u1,,c2@shop.com,,{At(400)}\nu5,x1,,,{At(401)}\nu6,x1,,,{At(402)}\n,x1,c7@shop.com,,{At(403)}\n");
        text.Append(CultureInfo.InvariantCulture, $"u50,blocked,blocked@shop.com,+15555555555,{At(500)}\nu51,,noreply@shop.com,,{At(501)}\nu52,,spam1@shop.com,,{At(502)}\n");
        text.Append(CultureInfo.InvariantCulture, $",,m1@shop.com,,{At(600)}\n,,,+14155559901,{At(601)}\n,,,,\nu53,,,,\n");
        return text.ToString();
    }

    // One path device d0 - cookie c0 - d1 - c1 - ...: the rows in shuffled order with shuffled dates, so neighbours along the
    // path have unrelated numbers.
    private static string PathRows(Random random, int length)
    {
        var rows = new List<string>();
        for (var i = 0; i < length; i++)
        {
            rows.Add($"d{i},c{i}");
            if (i + 1 < length) rows.Add($"d{i + 1},c{i}");
        }
        var text = new StringBuilder("device_id,cookie_id,seen_on\n");
        foreach (var row in rows.OrderBy(_ => random.Next()))
            text.Append(CultureInfo.InvariantCulture, $"{row},{new DateOnly(2025, 1, 1).AddDays(random.Next(300)):yyyy-MM-dd}\n");
        return text.ToString();
    }
}
