using System.Globalization;
using Tributary.Analytics.Attribution;
using Tributary.Components.Tests.Portability;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Attribution;

public sealed class AttributionModelsTests(PostgresCluster postgres)
{
    private static readonly string[] AllModels =
        ["first_touch", "last_touch", "last_non_direct", "linear", "time_decay", "position_based", "w_shaped", "markov_1", "markov_2", "markov_3", "shapley", "shapley_simplified"];

    private static string Pipeline(string models, string detail) => $$"""
        pipeline: p
        components:
          - id: paths
            type: source.csv
            with:
              path: paths.csv
              columns: { path_id: VARCHAR, position: INTEGER, channel: VARCHAR, campaign: VARCHAR, converted: BOOLEAN, conversion_value: DOUBLE, days_before_conversion: DOUBLE, converted_at: TIMESTAMP }
          - { id: attribution, type: analytics.attribution, inputs: [paths], with: { models: [{{models}}], conversion_detail: [{{detail}}] } }
        """;

    private sealed record Touch(string Path, int Position, string Channel, string? Campaign, bool Converted, double Value, double? Days, string? At);

    // Paths of 1–8 touches over five channels (direct among them) with 0–2 campaigns each, a third converting; the rows
    // written in a shuffled order so that only the position puts a path's touches in order.
    private static List<Touch> RandomTouches(int paths, int seed)
    {
        var random = new Random(seed);
        string[] channels = ["direct", "email", "paid_search", "paid_social", "display"];
        var touches = new List<Touch>();
        for (var p = 0; p < paths; p++)
        {
            var n = 1 + random.Next(8);
            var converted = random.NextDouble() < 0.35;
            var value = converted ? Math.Round(10 + 90 * random.NextDouble(), 2) : 0;
            var at = converted ? $"2025-03-{1 + random.Next(5):00} {random.Next(24):00}:00:00" : null;
            for (var k = 0; k < n; k++)
            {
                var c = random.Next(channels.Length);
                var campaign = random.Next(3) switch { 0 => null, var x => $"{channels[c]}_{x}" };
                touches.Add(new Touch($"path{p:000}", k + 1, channels[c], campaign, converted, value, converted ? n - k + random.Next(3) * 0.5 : null, at));
            }
        }
        random.Shuffle(System.Runtime.InteropServices.CollectionsMarshal.AsSpan(touches));
        return touches;
    }

    private static void Write(ComponentHarness h, IEnumerable<Touch> touches) =>
        h.Temp.File("paths.csv", "path_id,position,channel,campaign,converted,conversion_value,days_before_conversion,converted_at\n" + string.Concat(touches.Select(t =>
            string.Create(CultureInfo.InvariantCulture, $"{t.Path},{t.Position},{t.Channel},{t.Campaign},{(t.Converted ? "true" : "false")},{t.Value},{t.Days},{t.At}\n"))));

    private static List<ConversionPath> Paths(IEnumerable<Touch> touches) =>
        touches.GroupBy(t => t.Path).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var ordered = g.OrderBy(t => t.Position).ToList();
            var first = ordered[0];
            return new ConversionPath(ordered.Select(t => t.Channel).ToArray(), first.Converted, first.Value, first.Converted ? ordered.Select(t => t.Days ?? 0).ToArray() : null);
        }).ToList();

    private static IReadOnlyList<ChannelCredit> Expected(string model, List<ConversionPath> paths) => model switch
    {
        "markov_1" or "markov_2" or "markov_3" => MarkovAttribution.Compute(paths, model[^1] - '0').Credit,
        "shapley" => ShapleyAttribution.Compute(paths).Credit,
        "shapley_simplified" => ShapleyAttribution.Simplified(paths).Credit,
        _ => RuleBasedAttribution.Compute(paths, Enum.Parse<RuleBasedModel>(model.Replace("_", "", StringComparison.Ordinal), ignoreCase: true)),
    };

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_EveryModel_CreditsChannelsAsTheModelDoesOnThePathsInPositionOrder(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var touches = RandomTouches(300, 5);
        Write(h, touches);

        var result = await h.RunAsync(Pipeline(string.Join(", ", AllModels), "linear, markov_1"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var paths = Paths(touches);
        var rows = await h.RowsAsync("SELECT model, channel, conversions, value, touches FROM attribution");
        var convertingTouches = touches.Where(t => t.Converted).CountBy(t => t.Channel).ToDictionary();
        foreach (var model in AllModels)
        {
            var expected = Expected(model, paths).ToDictionary(c => c.Channel);
            var actual = rows.Where(r => (string)r[0]! == model).ToList();
            Assert.Equal(expected.Keys.Order(), actual.Select(r => (string)r[1]!).Order());
            foreach (var r in actual)
            {
                var channel = (string)r[1]!;
                Assert.True(Math.Abs(expected[channel].Conversions - D(r[2])) < 1e-9, $"{model} {channel}: {D(r[2])} conversions, expected {expected[channel].Conversions}");
                Assert.True(Math.Abs(expected[channel].Value - D(r[3])) < 1e-7, $"{model} {channel}: {D(r[3])} value, expected {expected[channel].Value}");
                Assert.Equal(convertingTouches.GetValueOrDefault(channel), Convert.ToInt64(r[4], CultureInfo.InvariantCulture));
            }
        }

        // Campaigns and days add up to the channel's credit.
        var campaigns = await h.RowsAsync("SELECT model, channel, sum(conversions), sum(value) FROM attribution__campaigns GROUP BY model, channel");
        var daily = await h.RowsAsync("SELECT model, channel, sum(conversions), sum(value) FROM attribution__daily GROUP BY model, channel");
        var byChannel = rows.ToDictionary(r => ((string)r[0]!, (string)r[1]!), r => (D(r[2]), D(r[3])));
        foreach (var r in campaigns.Concat(daily))
        {
            var (conversions, value) = byChannel[((string)r[0]!, (string)r[1]!)];
            Assert.Equal(conversions, D(r[2]), 1e-9);
            Assert.Equal(value, D(r[3]), 1e-7);
        }

        // Linear per conversion: each (channel, campaign) gets its share of the path's touches.
        var detail = (await h.RowsAsync("SELECT path_id, channel, coalesce(campaign, ''), conversions, value FROM attribution__conversions WHERE model = 'linear'"))
            .ToDictionary(r => ((string)r[0]!, (string)r[1]!, (string)r[2]!), r => (D(r[3]), D(r[4])));
        var expectedDetail = touches.Where(t => t.Converted).GroupBy(t => t.Path)
            .SelectMany(g => g.GroupBy(t => (t.Channel, t.Campaign ?? "")).Select(k => (Key: (g.Key, k.Key.Channel, k.Key.Item2), Share: (double)k.Count() / g.Count(), g.First().Value)))
            .ToList();
        Assert.Equal(expectedDetail.Count, detail.Count);
        foreach (var (key, share, value) in expectedDetail)
        {
            Assert.Equal(share, detail[key].Item1, 1e-12);
            Assert.Equal(share * value, detail[key].Item2, 1e-9);
        }
        var markovDetail = await h.RowsAsync("SELECT path_id, sum(conversions) FROM attribution__conversions WHERE model = 'markov_1' GROUP BY path_id");
        Assert.Equal(paths.Count(p => p.Converted), markovDetail.Count);
        Assert.All(markovDetail, r => Assert.Equal(1.0, D(r[1]), 1e-12));
    }

    // Per-conversion rows of two models over thousands of paths (the write's batches end between paths): one row per
    // (channel, campaign) of each converting path, carrying the path's id and conversion time (to the millisecond, NULL for
    // the path without one), and each path's linear shares summing to one.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_PerConversionRowsOverManyBatches_CarryTheirPathsIdAndConversionTime(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var touches = RandomTouches(4000, 13);
        var untimed = touches.Where(t => t.Converted).Select(t => t.Path).Order(StringComparer.Ordinal).First();
        touches = [.. touches.Select(t => !t.Converted ? t : t with
        {
            At = t.Path == untimed ? null : int.Parse(t.Path[4..], CultureInfo.InvariantCulture) is var p
                ? $"2025-03-{1 + p % 28:00} {p % 24:00}:{p % 60:00}:{p % 59:00}.{p % 1000:000}" : null,
        })];
        Write(h, touches);

        var result = await h.RunAsync(Pipeline("linear, markov_1", "linear, markov_1"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var expected = touches.Where(t => t.Converted).GroupBy(t => t.Path)
            .SelectMany(g => g.Select(t => (t.Channel, Campaign: t.Campaign ?? "")).Distinct().Select(k => $"{g.Key}|{k.Channel}|{k.Campaign}|{g.First().At ?? "-"}"))
            .Order(StringComparer.Ordinal).ToList();
        Assert.True(expected.Count > 4096, $"only {expected.Count} rows per model");
        foreach (var model in new[] { "linear", "markov_1" })
        {
            var rows = await h.RowsAsync($"SELECT path_id, channel, coalesce(campaign, ''), converted_at, conversions FROM attribution__conversions WHERE model = '{model}'");
            Assert.Equal(expected, rows.Select(r => $"{r[0]}|{r[1]}|{r[2]}|{(r[3] is DateTime at ? at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) : "-")}").Order(StringComparer.Ordinal));
            Assert.All(rows.GroupBy(r => (string)r[0]!), g => Assert.Equal(1.0, g.Sum(r => D(r[4])), 1e-9));
        }
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_TouchesFoundByTheirPathIdsHash_CreditAsWhenThePathsAreNumberedInSql(string engine)
    {
        var touches = RandomTouches(300, 7);
        async Task<(List<object?[]> Rows, List<string> Statements)> Run(Func<string, string?>? textHash)
        {
            TracingWarehouse? traced = null;
            await using var h = await ComponentHarness.CreateAsync(engine, postgres, w => traced = new TracingWarehouse(w, textHash));
            Write(h, touches);
            var result = await h.RunAsync(Pipeline(string.Join(", ", AllModels), "linear"));
            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            return ((await h.RowsAsync("SELECT model, channel, conversions, value, touches FROM attribution ORDER BY model, channel")).ToList(), traced!.Statements.ToList());
        }

        var hashed = await Run(null);
        // Every path's hash the same: the outline's collision check falls back to numbering the paths in SQL.
        var numbered = await Run(_ => "CAST(7 AS BIGINT)");

        Assert.DoesNotContain(hashed.Statements, s => s.Contains("WITH numbered", StringComparison.Ordinal));
        Assert.Contains(numbered.Statements, s => s.Contains("WITH numbered", StringComparison.Ordinal));
        Assert.Equal(numbered.Rows.Count, hashed.Rows.Count);
        for (var i = 0; i < hashed.Rows.Count; i++)
        {
            var (a, b) = (hashed.Rows[i], numbered.Rows[i]);
            Assert.Equal((string)b[0]!, (string)a[0]!);
            Assert.Equal((string)b[1]!, (string)a[1]!);
            Assert.Equal(D(b[2]), D(a[2]), 1e-12);
            Assert.Equal(D(b[3]), D(a[3]), 1e-9);
            Assert.Equal(Convert.ToInt64(b[4], CultureInfo.InvariantCulture), Convert.ToInt64(a[4], CultureInfo.InvariantCulture));
        }
    }

    // On DuckDB one scan in stored order finds the paths as runs of touches, with no outline query: touches stored path by
    // path (as journey.conversion_paths writes them; positions shuffled within a path) or shuffled (a path in many runs,
    // merged). Credit by channel, campaign and day and the per-conversion rows (ids, times) are those of the two reads with
    // paths numbered in SQL (every id hashing alike: the scan sees repeated positions and falls back). PostgreSQL, whose
    // scans keep no order, takes the two reads.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_OneScanInStoredOrder_CreditsAsTheTwoReads(string engine)
    {
        var shuffled = RandomTouches(400, 17);
        var together = shuffled.OrderBy(t => t.Path, StringComparer.Ordinal).ToList();
        async Task<(List<string> Rows, List<string> Statements)> Run(List<Touch> touches, Func<string, string?>? textHash = null)
        {
            TracingWarehouse? traced = null;
            await using var h = await ComponentHarness.CreateAsync(engine, postgres, w => traced = new TracingWarehouse(w, textHash));
            Write(h, touches);
            var result = await h.RunAsync(Pipeline(string.Join(", ", AllModels), "linear, markov_1"));
            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            var rows = new List<string>();
            foreach (var sql in new[]
            {
                "SELECT model, channel, conversions, value, share, touches FROM attribution",
                "SELECT model, channel, campaign, conversions, value, share, touches FROM attribution__campaigns",
                "SELECT model, day, channel, campaign, conversions, value FROM attribution__daily",
                "SELECT model, path_id, converted_at, channel, campaign, conversions, value FROM attribution__conversions",
            })
                rows.AddRange((await h.RowsAsync(sql)).Select(r => string.Join("|", r.Select(v => v switch
                {
                    double x => Math.Round(x, 9).ToString("R", CultureInfo.InvariantCulture),
                    DateTime at => at.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture),
                    DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    null => "-",
                    _ => Convert.ToString(v, CultureInfo.InvariantCulture),
                }))));
            rows.Sort(StringComparer.Ordinal);
            return (rows, traced!.Statements.ToList());
        }

        var scanned = await Run(together);
        var merged = await Run(shuffled);
        var numbered = await Run(together, _ => "CAST(7 AS BIGINT)");

        static bool Outline(string sql) => sql.Contains("GROUP BY path_id ORDER BY path_id", StringComparison.Ordinal);
        foreach (var statements in new[] { scanned.Statements, merged.Statements })
            if (engine == "duckdb") Assert.DoesNotContain(statements, Outline);
            else Assert.Contains(statements, Outline);
        Assert.Contains(numbered.Statements, s => s.Contains("WITH numbered", StringComparison.Ordinal));
        Assert.True(scanned.Rows.Count > 1000, $"only {scanned.Rows.Count} rows");
        Assert.Equal(numbered.Rows, scanned.Rows);
        Assert.Equal(numbered.Rows, merged.Rows);
    }

    // Without a per-conversion table the stored-order scan brings each touch's outcome and the paths' outcome is taken in
    // C# (no GROUP BY of the converting touches): the same tables as the two reads, paths stored together or split, a
    // converting path without a conversion time included (its day is the one the two reads give it).
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_OutcomesFromTheScan_CreditsAsTheTwoReads(string engine)
    {
        var shuffled = RandomTouches(300, 37);
        shuffled.AddRange([new Touch("zz_no_time", 1, "email", null, true, 25, 1, null), new Touch("zz_no_time", 2, "direct", null, true, 25, 0, null)]);
        var together = shuffled.OrderBy(t => t.Path, StringComparer.Ordinal).ToList();
        async Task<(List<string> Rows, List<string> Statements)> Run(List<Touch> touches, Func<string, string?>? textHash = null)
        {
            TracingWarehouse? traced = null;
            await using var h = await ComponentHarness.CreateAsync(engine, postgres, w => traced = new TracingWarehouse(w, textHash));
            Write(h, touches);
            var result = await h.RunAsync(Pipeline(string.Join(", ", AllModels), ""));
            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            var rows = new List<string>();
            foreach (var sql in new[]
            {
                "SELECT model, channel, conversions, value, share, touches FROM attribution",
                "SELECT model, channel, campaign, conversions, value, share, touches FROM attribution__campaigns",
                "SELECT model, day, channel, campaign, conversions, value FROM attribution__daily",
            })
                rows.AddRange((await h.RowsAsync(sql)).Select(r => string.Join("|", r.Select(v => v switch
                {
                    double x => Math.Round(x, 9).ToString("R", CultureInfo.InvariantCulture),
                    DateOnly day => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    null => "-",
                    _ => Convert.ToString(v, CultureInfo.InvariantCulture),
                }))));
            rows.Sort(StringComparer.Ordinal);
            return (rows, traced!.Statements.ToList());
        }

        var scanned = await Run(together);
        var split = await Run(shuffled);
        var numbered = await Run(together, _ => "CAST(7 AS BIGINT)");

        static bool ConvertingGroupBy(string sql) => sql.Contains("WHERE converted AND", StringComparison.Ordinal);
        if (engine == "duckdb")
            foreach (var statements in new[] { scanned.Statements, split.Statements }) Assert.DoesNotContain(statements, ConvertingGroupBy);
        Assert.True(scanned.Rows.Count > 500, $"only {scanned.Rows.Count} rows");
        Assert.Contains(scanned.Rows, r => r.StartsWith("linear|", StringComparison.Ordinal) && r.Contains("|email|", StringComparison.Ordinal));
        Assert.Equal(numbered.Rows, scanned.Rows);
        Assert.Equal(numbered.Rows, split.Rows);
    }

    // The full_cdp template's second run changed attribution's tables in the last digit: journey.conversion_paths writes its
    // table in another order each run (parallel window functions), and paths summed in stored order summed differently.
    // The same touches stored path by path in two orders give the same credit to the last bit.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_SameTouchesStoredInAnotherOrder_SameCreditToTheLastBit(string engine)
    {
        var touches = RandomTouches(400, 23);
        async Task<List<string>> Run(IEnumerable<Touch> stored)
        {
            await using var h = await ComponentHarness.CreateAsync(engine, postgres);
            Write(h, stored.ToList());
            var result = await h.RunAsync(Pipeline(string.Join(", ", AllModels), "linear, markov_1"));
            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            var rows = new List<string>();
            foreach (var sql in new[]
            {
                "SELECT model, channel, conversions, value, share, touches FROM attribution",
                "SELECT model, channel, campaign, conversions, value, share, touches FROM attribution__campaigns",
                "SELECT model, day, channel, campaign, conversions, value FROM attribution__daily",
            })
                rows.AddRange((await h.RowsAsync(sql)).Select(r => string.Join("|", r.Select(v => v is double x ? x.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture)))));
            rows.Sort(StringComparer.Ordinal);
            return rows;
        }

        var ascending = await Run(touches.OrderBy(t => t.Path, StringComparer.Ordinal));
        var descending = await Run(touches.OrderByDescending(t => t.Path, StringComparer.Ordinal));

        Assert.True(ascending.Count > 100, $"only {ascending.Count} rows");
        Assert.Equal(ascending, descending);
    }

    // A channel's campaign credit is scaled by the sum over its campaigns, taken in the order the (channel, campaign) pairs
    // are numbered: numbered as the engine's GROUP BY returned them (another order each run on a large table, where it runs
    // in parallel; here, the order the pairs are first stored in), a rerun changed the campaign and daily tables in the last
    // digit. Two tables of the same touches whose campaigns first appear in opposite orders give the same tables to the bit.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_PairsFirstStoredInAnotherOrder_SameCampaignCreditToTheLastBit(string engine)
    {
        var random = new Random(41);
        var touches = new List<Touch>();
        for (var p = 0; p < 300; p++)
        {
            var n = 1 + random.Next(4);
            var value = Math.Round(1 + 997 * random.NextDouble(), 2);
            for (var k = 0; k < n; k++)
                touches.Add(new Touch($"p{p:000}", k + 1, random.Next(3) == 0 ? "email" : "paid_search", $"c{random.Next(12):00}", true, value, n - 1 - k + 0.37 * random.NextDouble(), $"2025-03-0{1 + random.Next(3)} 10:00:00"));
        }
        async Task<List<string>> Run(IEnumerable<Touch> stored)
        {
            await using var h = await ComponentHarness.CreateAsync(engine, postgres);
            Write(h, stored.ToList());
            var result = await h.RunAsync(Pipeline("linear, time_decay, markov_1", "linear"));
            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            var rows = new List<string>();
            foreach (var sql in new[]
            {
                "SELECT model, channel, campaign, conversions, value, share FROM attribution__campaigns",
                "SELECT model, day, channel, campaign, conversions, value FROM attribution__daily",
            })
                rows.AddRange((await h.RowsAsync(sql)).Select(r => string.Join("|", r.Select(v => v is double x ? x.ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture)))));
            rows.Sort(StringComparer.Ordinal);
            return rows;
        }

        // Campaigns first stored in ascending order, then in descending order; paths in the same order both times.
        var ascending = await Run(touches.OrderBy(t => t.Campaign, StringComparer.Ordinal).ThenBy(t => t.Path, StringComparer.Ordinal).ThenBy(t => t.Position));
        var descending = await Run(touches.OrderByDescending(t => t.Campaign, StringComparer.Ordinal).ThenBy(t => t.Path, StringComparer.Ordinal).ThenBy(t => t.Position));

        Assert.True(ascending.Count > 100, $"only {ascending.Count} rows");
        Assert.Equal(ascending, descending);
    }

    // A large table is read as ranges of its stored rows side by side (DuckDB's rowid), paths straddling two ranges put
    // together: the same tables as one scan of the whole table (which the tests above hold to the two reads). 1.2M
    // touches, so that the table splits (500k rows per range at least).
    [Fact]
    public async Task Attribution_LargeTableReadAsRangesSideBySide_CreditsAsTheTwoReads()
    {
        Assert.SkipUnless(Environment.ProcessorCount >= 2, "ranges are read side by side only with two cores or more");
        const string yaml = """
            pipeline: p
            components:
              - id: paths
                type: transform.sql
                with:
                  sql: >-
                    SELECT 'p' || lpad(CAST(p AS VARCHAR), 7, '0') AS path_id, k + 1 AS position,
                      'ch' || CAST((p * 7 + k * 13) % 6 AS VARCHAR) AS channel,
                      CASE WHEN (p + k) % 3 = 0 THEN NULL ELSE 'c' || CAST((p + k) % 4 AS VARCHAR) END AS campaign,
                      p % 3 = 0 AS converted, CAST(10 + p % 90 AS DOUBLE) + 0.25 AS conversion_value,
                      CAST(n - 1 - k AS DOUBLE) AS days_before_conversion,
                      CASE WHEN p % 3 = 0 THEN TIMESTAMP '2025-03-01 00:00:00' + to_days(CAST(p % 20 AS INTEGER)) END AS converted_at
                    FROM (SELECT range AS p, 1 + range % 5 AS n FROM range(400000)) s JOIN (SELECT range AS k FROM range(5)) t ON t.k < s.n
                    ORDER BY p, k
              - { id: attribution, type: analytics.attribution, inputs: [paths], with: { models: [first_touch, linear, time_decay, markov_1], conversion_detail: [] } }
            """;
        async Task<(List<string> Rows, List<string> Statements)> Run(bool storedRows)
        {
            TracingWarehouse? traced = null;
            await using var h = await ComponentHarness.CreateAsync("duckdb", postgres, w => traced = new TracingWarehouse(w, storedRows: storedRows));
            var result = await h.RunAsync(yaml);
            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            var rows = new List<string>();
            foreach (var sql in new[]
            {
                "SELECT model, channel, conversions, value, touches FROM attribution",
                "SELECT model, channel, campaign, conversions, value FROM attribution__campaigns",
                "SELECT model, day, channel, campaign, conversions, value FROM attribution__daily",
            })
                rows.AddRange((await h.RowsAsync(sql)).Select(r => string.Join("|", r.Select(v => v is double x ? Math.Round(x, 6).ToString("R", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture)))));
            rows.Sort(StringComparer.Ordinal);
            return (rows, traced!.Statements.ToList());
        }

        var ranges = await Run(storedRows: true);
        var oneScan = await Run(storedRows: false);

        Assert.Contains(ranges.Statements, s => s.Contains("rowid >=", StringComparison.Ordinal));
        Assert.DoesNotContain(oneScan.Statements, s => s.Contains("rowid >=", StringComparison.Ordinal));
        Assert.True(ranges.Rows.Count > 100, $"only {ranges.Rows.Count} rows");
        Assert.Equal(oneScan.Rows, ranges.Rows);
    }

    // The stored-order read keeps positions in 32 bits: a path whose positions differ only above them (each path's first
    // touch put past 2^32, so it becomes its last) is still read in position order (the read falls back to the two reads
    // where a position does not fit), not in the order their low 32 bits give.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_PositionsBeyond32Bits_TouchesStillInPositionOrder(string engine)
    {
        const long Past32Bits = 4_294_967_296L;
        var touches = RandomTouches(60, 31);
        long PositionOf(Touch t) => t.Position == 1 ? Past32Bits + 1 : t.Position;
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        h.Temp.File("paths.csv", "path_id,position,channel,campaign,converted,conversion_value,days_before_conversion,converted_at\n" + string.Concat(touches.Select(t =>
            string.Create(CultureInfo.InvariantCulture, $"{t.Path},{PositionOf(t)},{t.Channel},{t.Campaign},{(t.Converted ? "true" : "false")},{t.Value},{t.Days},{t.At}\n"))));

        var result = await h.RunAsync(Pipeline("first_touch, last_touch", "first_touch").Replace("position: INTEGER", "position: BIGINT", StringComparison.Ordinal));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var paths = touches.GroupBy(t => t.Path).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var ordered = g.OrderBy(PositionOf).ToList();
            return new ConversionPath(ordered.Select(t => t.Channel).ToArray(), ordered[0].Converted, ordered[0].Value, ordered[0].Converted ? ordered.Select(t => t.Days ?? 0).ToArray() : null);
        }).ToList();
        Assert.Contains(paths, p => p.Converted && p.Channels.Count > 1 && p.Channels[0] != p.Channels[^1]);
        foreach (var model in new[] { "first_touch", "last_touch" })
        {
            var rows = (await h.RowsAsync($"SELECT channel, conversions FROM attribution WHERE model = '{model}'")).ToDictionary(r => (string)r[0]!, r => D(r[1]));
            foreach (var c in Expected(model, paths)) Assert.Equal(c.Conversions, rows.GetValueOrDefault(c.Channel), 1e-12);
        }
    }

    // Ids as journey.conversion_paths writes them, in pairs that DuckDB's plain string hash maps to one value: the read
    // still finds every touch's path by its hash (no numbering in SQL), and the credit is the model's on those paths.
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_PathIdsBuiltFromCounters_TouchesStillFoundByHash(string engine)
    {
        string[] ids = ["p_000003317#nc14", "p_000008317#nc19", "p_000003907#nc15", "p_000008907#nc18", "p_000002817#nc19", "p_000005817#nc14"];
        var touches = RandomTouches(ids.Length, 11).Select(t => t with { Path = ids[int.Parse(t.Path[4..], CultureInfo.InvariantCulture)] }).ToList();
        TracingWarehouse? traced = null;
        await using var h = await ComponentHarness.CreateAsync(engine, postgres, w => traced = new TracingWarehouse(w));
        Write(h, touches);

        var result = await h.RunAsync(Pipeline("linear", "linear"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.DoesNotContain(traced!.Statements, s => s.Contains("WITH numbered", StringComparison.Ordinal));
        var expected = Expected("linear", Paths(touches));
        var rows = (await h.RowsAsync("SELECT channel, conversions FROM attribution WHERE model = 'linear'")).ToDictionary(r => (string)r[0]!, r => D(r[1]));
        Assert.Equal(expected.Count(c => c.Conversions > 0), rows.Count(r => r.Value > 0));
        foreach (var c in expected) Assert.Equal(c.Conversions, rows.GetValueOrDefault(c.Channel), 1e-12);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Attribution_FirstAndLastTouch_SplitByCampaignAndDayOfConversion(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // a: email then search (brand) converts on 03-01 for 100; b: search (generic) twice converts on 03-02 for 40, its
        // rows written last touch first; c: display only, never converts.
        Write(h,
        [
            new Touch("b", 2, "paid_search", "generic", true, 40, 0, "2025-03-02 10:00:00"),
            new Touch("a", 1, "email", null, true, 100, 3, "2025-03-01 08:00:00"),
            new Touch("c", 1, "display", "retargeting", false, 0, null, null),
            new Touch("b", 1, "direct", null, true, 40, 1, "2025-03-02 10:00:00"),
            new Touch("a", 2, "paid_search", "brand", true, 100, 1, "2025-03-01 08:00:00"),
        ]);

        var result = await h.RunAsync(Pipeline("first_touch, last_touch", "first_touch, last_touch"));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var campaigns = (await h.RowsAsync("SELECT model, channel, coalesce(campaign, '-'), conversions, value, touches FROM attribution__campaigns"))
            .ToDictionary(r => ((string)r[0]!, (string)r[1]!, (string)r[2]!), r => (D(r[3]), D(r[4]), Convert.ToInt64(r[5], CultureInfo.InvariantCulture)));
        Assert.Equal((1.0, 100.0, 1L), campaigns[("first_touch", "email", "-")]);
        Assert.Equal((1.0, 40.0, 1L), campaigns[("first_touch", "direct", "-")]);
        Assert.Equal((0.0, 0.0, 1L), campaigns[("first_touch", "paid_search", "brand")]);
        Assert.Equal((1.0, 100.0, 1L), campaigns[("last_touch", "paid_search", "brand")]);
        Assert.Equal((1.0, 40.0, 1L), campaigns[("last_touch", "paid_search", "generic")]);
        Assert.Equal((0.0, 0.0, 0L), campaigns[("last_touch", "display", "retargeting")]);
        var daily = (await h.RowsAsync("SELECT model, CAST(day AS VARCHAR), channel, coalesce(campaign, '-'), conversions, value FROM attribution__daily WHERE conversions > 0"))
            .Select(r => ((string)r[0]!, (string)r[1]!, (string)r[2]!, (string)r[3]!, D(r[4]), D(r[5]))).Order().ToList();
        Assert.Equal(
        [
            ("first_touch", "2025-03-01", "email", "-", 1.0, 100.0), ("first_touch", "2025-03-02", "direct", "-", 1.0, 40.0),
            ("last_touch", "2025-03-01", "paid_search", "brand", 1.0, 100.0), ("last_touch", "2025-03-02", "paid_search", "generic", 1.0, 40.0),
        ], daily);
        var detail = (await h.RowsAsync("SELECT model, path_id, CAST(converted_at AS VARCHAR), channel, coalesce(campaign, '-'), conversions, value FROM attribution__conversions"))
            .Select(r => ((string)r[0]!, (string)r[1]!, (string)r[2]!, (string)r[3]!, (string)r[4]!, D(r[5]), D(r[6]))).Where(r => r.Item6 > 0).Order().ToList();
        Assert.Equal(
        [
            ("first_touch", "a", "2025-03-01 08:00:00", "email", "-", 1.0, 100.0), ("first_touch", "b", "2025-03-02 10:00:00", "direct", "-", 1.0, 40.0),
            ("last_touch", "a", "2025-03-01 08:00:00", "paid_search", "brand", 1.0, 100.0), ("last_touch", "b", "2025-03-02 10:00:00", "paid_search", "generic", 1.0, 40.0),
        ], detail);
    }

    private static double D(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
