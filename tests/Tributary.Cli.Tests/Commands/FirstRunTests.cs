using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>What a new user meets first: quickstart run twice, commands outside a project, and output meant for people.</summary>
public sealed partial class FirstRunTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "shop");

    public void Dispose() => _temp.Dispose();

    private async Task InitAsync() => Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);

    private async Task<Trib.Outcome> QueryAsync(string sql, params string[] extra)
    {
        var result = await Trib.RunAsync(["query", sql, "--project", Project, .. extra]);
        Assert.True(result.ExitCode == 0, result.Error);
        return result;
    }

    [Fact]
    public async Task Quickstart_Twice_ReusesWhatExistsKeepsAChangedPipelineAndLoadsNothingTwice()
    {
        var first = await Trib.RunAsync("quickstart", Project, "--customers", "150");
        Assert.True(first.ExitCode == 0, first.Error);
        // Quickstart took the steps init and templates add would suggest; its own Next says how to invoke trib, aligned.
        Assert.DoesNotContain("next:", first.Error, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("trib below is `dotnet run --project src/Tributary.Cli --` from the repository root, or a published trib on your PATH;", first.Out, StringComparison.Ordinal);
        Assert.Contains($"add --project {Project} unless you run it from {Project}", first.Out, StringComparison.Ordinal);
        var next = first.Out.Split('\n').Select(l => NextLine().Match(l)).Where(m => m.Success).ToList();
        Assert.Equal(6, next.Count);
        Assert.Contains(next, m => m.Groups[1].Value.StartsWith("trib runs show ", StringComparison.Ordinal));
        // Its schedule is added paused, as every template's is, and Next says how to turn it on.
        Assert.Contains("customer_ltv's schedule 0 6 * * * UTC: paused", first.Error, StringComparison.Ordinal);
        Assert.Contains(next, m => m.Groups[1].Value == "trib schedules resume customer_ltv");
        Assert.Single(next.Select(m => m.Groups[2].Index).Distinct());
        var counts = "SELECT (SELECT count(*) FROM shopify_orders) AS orders, (SELECT count(*) FROM hubspot_contacts) AS contacts";
        var before = (await QueryAsync(counts, "--format", "csv")).Out;
        var pipeline = Path.Combine(Project, "pipelines", "customer_ltv.yaml");
        Assert.Contains("Value tiers (12-month CLV in USD", first.Out, StringComparison.Ordinal);
        File.WriteAllText(pipeline, File.ReadAllText(pipeline).Replace("horizon_days: { type: integer, default: 365", "horizon_days: { type: integer, default: 180", StringComparison.Ordinal));
        File.AppendAllText(pipeline, "# my change\n");
        // Exports written again would be new files to the sources, which append them.
        File.SetLastWriteTimeUtc(Path.Combine(Project, "data", "demo", "shopify", "orders_export.csv"), DateTime.UtcNow.AddMinutes(-5));

        var second = await Trib.RunAsync("quickstart", Project, "--customers", "150");

        Assert.True(second.ExitCode == 0, second.Error);
        Assert.Contains("reusing the project in", second.Error, StringComparison.Ordinal);
        Assert.Contains("reusing the demo store in data/demo (delete that folder to generate a new one)", second.Error, StringComparison.Ordinal);
        Assert.Contains("kept your changed pipelines/customer_ltv.yaml (not overwritten); to go back to the template: trib templates add customer_ltv --force", second.Error, StringComparison.Ordinal);
        Assert.EndsWith("# my change\n", File.ReadAllText(pipeline), StringComparison.Ordinal);
        Assert.Contains("Value tiers (6-month CLV in USD", second.Out, StringComparison.Ordinal);
        Assert.Equal(before, (await QueryAsync(counts, "--format", "csv")).Out);
    }

    [Theory]
    [InlineData("show", "orders")]
    [InlineData("query", "SELECT 1")]
    [InlineData("run", "customer_ltv")]
    [InlineData("runs")]
    [InlineData("list")]
    public async Task Command_OutsideAProject_SaysThereIsNoTributaryYamlAndCreatesNothing(params string[] args)
    {
        var empty = Path.Combine(_temp.Path, "not-a-project");
        Directory.CreateDirectory(empty);

        var result = await Trib.RunAsync([.. args, "--project", empty]);

        Assert.Equal(1, result.ExitCode);
        Assert.StartsWith($"error: there is no tributary.yaml in {empty}, so it is not a Tributary project.", result.Error, StringComparison.Ordinal);
        Assert.Contains($"trib init {empty}", result.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.EnumerateFileSystemEntries(empty));
    }

    [Fact]
    public async Task Templates_DescriptionIsOneLineWithoutTheYamlBlockMarker()
    {
        var list = await Trib.RunAsync("templates", "--format", "json");

        var descriptions = JsonDocument.Parse(list.Out).RootElement.EnumerateArray().ToDictionary(t => t.GetProperty("template").GetString()!, t => t.GetProperty("description").GetString()!);
        Assert.StartsWith("Identify high-value customers. Shopify orders and HubSpot contacts -> standardize -> identity resolution -> lifetime value", descriptions["customer_ltv"], StringComparison.Ordinal);
        Assert.All(descriptions.Values, d => Assert.False(d.StartsWith('>') || d.StartsWith('|') || d.Contains('\n', StringComparison.Ordinal), d));
    }

    [Fact]
    public async Task Table_Piped_IsPrintedUnwrapped()
    {
        await InitAsync();
        var id = "order-" + new string('7', 90);

        var table = (await QueryAsync($"SELECT '{id}' AS order_id, 'paid' AS status")).Out;

        var line = table.Split('\n').Single(l => l.Contains(id, StringComparison.Ordinal));
        Assert.Contains("paid", line, StringComparison.Ordinal);
        Assert.True(line.Length > 80, line);
    }

    // Piped into a file or a pager, each component is one entry of at most 80 columns a line: its type whole on the entry's
    // first line, the description wrapped beside it.
    [Fact]
    public async Task Components_Piped_FitEightyColumnsWithEachTypeOnItsEntrysFirstLineAndEveryWordOfItsDescription()
    {
        var table = await Trib.RunAsync("components");
        var json = await Trib.RunAsync("components", "--format", "json");

        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        foreach (var component in JsonDocument.Parse(json.Out).RootElement.EnumerateArray())
        {
            var type = component.GetProperty("type").GetString()!;
            var first = lines.FindIndex(l => l.StartsWith($"│ {type} ", StringComparison.Ordinal));
            Assert.True(first >= 0, type);
            // The entry runs until the next type's line (or the table's end); its description column holds the whole description
            // (a word longer than the column, such as a docs link, is cut where the column ends).
            var entry = lines.Skip(first).TakeWhile((l, i) => i == 0 || l.StartsWith("│ ", StringComparison.Ordinal) && l[2] == ' ').ToList();
            var shown = string.Concat(entry.Select(l => l.Split('│')[3])).Replace(" ", "", StringComparison.Ordinal);
            Assert.Equal(component.GetProperty("description").GetString()!.Replace(" ", "", StringComparison.Ordinal), shown);
        }
        Assert.Equal(["source.csv", "0"], lines.First(l => l.StartsWith("│ source.csv ", StringComparison.Ordinal)).Split('│').Select(c => c.Trim()).Skip(1).Take(2));
    }

    [Fact]
    public async Task Templates_Piped_FitEightyColumnsWithEveryNameWholeAndEveryWordOfTheDescriptions()
    {
        var table = await Trib.RunAsync("templates");
        var json = await Trib.RunAsync("templates", "--format", "json");

        var lines = table.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.All(lines, l => Assert.True(l.Length <= 80, $"{l.Length} columns: {l}"));
        var words = lines.SelectMany(l => l.Split([' ', '│', '╭', '╮', '╰', '╯', '─', '┬', '┴', '┼', '├', '┤'], StringSplitOptions.RemoveEmptyEntries)).ToHashSet(StringComparer.Ordinal);
        foreach (var template in JsonDocument.Parse(json.Out).RootElement.EnumerateArray())
        {
            Assert.Contains(lines, l => l.StartsWith($"│ {template.GetProperty("template").GetString()} ", StringComparison.Ordinal));
            Assert.All(template.GetProperty("description").GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries), w => Assert.Contains(w, words));
        }
    }

    [Fact]
    public async Task Table_RoundsNumbersForPeopleAndSaysYesOrNo_CsvKeepsEveryDigit()
    {
        await InitAsync();
        var sql = "SELECT 12.4195::DOUBLE AS duration_s, 1234.5678::DOUBLE AS spend, 1983::BIGINT AS customers, 0.123456::DOUBLE AS p_alive, true AS passed, 100234::BIGINT AS order_id";

        var table = (await QueryAsync(sql)).Out;
        var csv = (await QueryAsync(sql, "--format", "csv")).Out;

        var row = table.Split('\n').Single(l => l.Contains("12.4 s", StringComparison.Ordinal));
        Assert.Equal(["12.4 s", "1,234.57", "1,983", "0.1235", "yes", "100234"], row.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(c => c.Length > 0));
        Assert.Equal("12.4195,1234.5678,1983,0.123456,True,100234", csv.Split('\n')[1].TrimEnd('\r'));
    }

    [Fact]
    public async Task Table_ColumnOfFractions_ShowsOneNumberOfDecimals()
    {
        await InitAsync();
        var sql = "SELECT * FROM (VALUES (1, 46.571428::DOUBLE, 0.5::DOUBLE), (2, 56.61::DOUBLE, 0.25::DOUBLE), (3, 3::DOUBLE, 'NaN'::DOUBLE)) t(k, credit, share) ORDER BY k";

        var table = (await QueryAsync(sql)).Out;

        var cells = table.Split('\n').Where(l => l.Contains('│', StringComparison.Ordinal) && !l.Contains("credit", StringComparison.Ordinal))
            .Select(l => l.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray()).ToList();
        Assert.Equal(["46.5714", "56.6100", "3.0000"], cells.Select(c => c[1]));
        Assert.Equal(["0.50", "0.25", "NaN"], cells.Select(c => c[2]));
    }

    [Fact]
    public async Task Table_ColumnOfFractions_RoundsAShortCellFromItsValueNotByPadding()
    {
        await InitAsync();
        // 133.448 shows one decimal alone (over 100); beside 42.66 it needs two, which are 133.45, not 133.4 and a 0.
        var table = (await QueryAsync("SELECT * FROM (VALUES (1, 133.448::DOUBLE), (2, 42.66::DOUBLE), (3, 142.66::DOUBLE)) t(k, score) ORDER BY k")).Out;

        var cells = table.Split('\n').Where(l => l.Contains('│', StringComparison.Ordinal) && !l.Contains("score", StringComparison.Ordinal))
            .Select(l => l.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray()).ToList();
        Assert.Equal(["133.45", "42.66", "142.66"], cells.Select(c => c[1]));
    }

    // A model card (parameter, value): each value as its key names it, a count not as money and a shape parameter with its
    // digits (were 297.00 and 0.59), revenue as money.
    [Fact]
    public async Task Table_KeyValueColumn_EachNumberAsItIs()
    {
        await InitAsync();
        var sql = "SELECT * FROM (VALUES (1, 'r', 0.591432::DOUBLE), (2, 'customers', 297::DOUBLE), (3, 'log_likelihood', -1601.6543::DOUBLE), (4, 'revenue', 12345.678::DOUBLE)) t(k, parameter, value) ORDER BY k";

        var table = (await QueryAsync(sql)).Out;

        var cells = table.Split('\n').Where(l => l.Contains('│', StringComparison.Ordinal) && !l.Contains("parameter", StringComparison.Ordinal))
            .Select(l => l.Split('│', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(c => c.Length > 0).ToArray()).ToList();
        Assert.Equal(["0.5914", "297", "-1,601.7", "12,345.68"], cells.Select(c => c[2]));
    }

    [Fact]
    public async Task Json_HasIsoTimestampsAndNoHtmlEscapes()
    {
        await InitAsync();

        var json = (await QueryAsync("SELECT TIMESTAMP '2026-03-04 05:06:07' AS at, 'a+b & c' AS note", "--format", "json")).Out;

        Assert.Contains("\"at\": \"2026-03-04T05:06:07\"", json, StringComparison.Ordinal);
        Assert.Contains("\"note\": \"a+b & c\"", json, StringComparison.Ordinal);
        Assert.DoesNotContain("\\u00", json, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_IntegerDefaultsAreNumbers()
    {
        var schema = JsonDocument.Parse((await Trib.RunAsync("schema", "analytics.budget_optimizer")).Out).RootElement;

        var currentDays = schema.GetProperty("properties").GetProperty("current_days").GetProperty("default");
        Assert.Equal(JsonValueKind.Number, currentDays.ValueKind);
        Assert.Equal(28, currentDays.GetInt32());
    }

    [Fact]
    public async Task Format_Unknown_NamesTheAllowedValues()
    {
        var result = await Trib.RunAsync("templates", "--format", "xml");

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("--format 'xml' is not a format: use table, csv or json.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("OutputFormat", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Query_CsvAndJsonReturnEveryRowUnlessLimited_TableStopsAtAThousandAndSaysSo()
    {
        await InitAsync();
        var sql = "SELECT range AS i FROM range(1500)";

        Assert.Equal(1501, (await QueryAsync(sql, "--format", "csv")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(1500, JsonDocument.Parse((await QueryAsync(sql, "--format", "json")).Out).RootElement.GetArrayLength());
        Assert.Equal(11, (await QueryAsync(sql, "--format", "csv", "--limit", "10")).Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("the first 1,000 rows; pass --limit N for more", (await QueryAsync(sql)).Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Show_UnknownAsset_SuggestsAssetsButNotTheLoadLogs()
    {
        await InitAsync();
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        File.WriteAllText(Path.Combine(Project, "data", "events.ndjson"),
            """{"type":"track","event":"Signed Up","messageId":"m1","userId":"u1","timestamp":"2025-01-02T10:00:00Z"}""" + "\n");
        File.WriteAllText(Path.Combine(Project, "pipelines", "events.yaml"), """
            pipeline: events
            components:
              - { id: events, type: source.segment_events, with: { path: data/events.ndjson } }
            """);
        var run = await Trib.RunAsync("run", "events", "--project", Project);
        Assert.True(run.ExitCode == 0, run.Error);

        var missing = await Trib.RunAsync("show", "event", "--project", Project);

        // The files ledger (declared internal) is not suggested; the rejected rows output is an asset like any other.
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal("error: no asset 'event' in the warehouse. Did you mean 'events'? Assets: events, events__rejected.", missing.Error.Trim());
    }

    [Fact]
    public async Task Show_Wide_PutsEveryModelSideBySide()
    {
        await InitAsync();
        await QueryAsync("""
            CREATE TABLE attribution AS SELECT * FROM (VALUES
              ('last_touch', 'email', 10.0, 0.5), ('last_touch', 'search', 30.0, 0.5), ('shapley', 'email', 20.0, 0.4), ('shapley', 'search', 25.0, 0.6))
              AS t(model, channel, conversions, share)
            """);

        var wide = await Trib.RunAsync("show", "attribution", "--wide", "--format", "csv", "--project", Project);
        var share = await Trib.RunAsync("show", "attribution", "--wide", "--measure", "share", "--format", "csv", "--project", Project);

        Assert.True(wide.ExitCode == 0, wide.Error);
        Assert.Equal(["channel,last_touch,shapley", "search,30,25", "email,10,20"], wide.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
        Assert.Contains("conversions by channel, one column per model", wide.Error, StringComparison.Ordinal);
        Assert.Contains("search,0.5,0.6", share.Out.Split('\n').Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task Serve_PortInUse_IsAUserErrorNamingPort()
    {
        await InitAsync();
        using var taken = new TcpListener(IPAddress.Loopback, 0);
        taken.Start();
        var port = ((IPEndPoint)taken.LocalEndpoint).Port;

        var serve = await Trib.RunAsync("serve", "--port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--project", Project);

        Assert.Equal(1, serve.ExitCode);
        Assert.Contains("Choose another port with --port", serve.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("IOException", serve.Error, StringComparison.Ordinal);
    }

    [GeneratedRegex(@"^  (trib \S.*?)\s{2,}(\S.*)$")]
    private static partial Regex NextLine();

    [Fact]
    public async Task ShowAndQuery_WhileServeOwnsTheWarehouse_GoThroughTheServer()
    {
        await InitAsync();
        await QueryAsync("CREATE TABLE orders AS SELECT range AS order_id, range * 1.5::DOUBLE AS amount FROM range(30)");
        using var trib = new TribProcesses();
        await trib.ServeAsync(Project, TestContext.Current.CancellationToken);

        var show = await Trib.RunAsync("show", "orders", "--limit", "2", "--format", "csv", "--project", Project);
        var query = await Trib.RunAsync("query", "SELECT count(*) AS n, sum(amount) AS total FROM orders", "--format", "json", "--project", Project);
        var table = await Trib.RunAsync("show", "orders", "--limit", "1", "--project", Project);
        var bad = await Trib.RunAsync("query", "SELEC 1", "--project", Project);
        var huge = await Trib.RunAsync("query", "SELECT range AS n FROM range(100001)", "--format", "csv", "--project", Project);
        var capped = await Trib.RunAsync("query", "SELECT range AS n FROM range(100001)", "--limit", "3", "--format", "csv", "--project", Project);
        var exact = await Trib.RunAsync("query", "SELECT range AS n FROM range(100000)", "--format", "csv", "--project", Project);

        Assert.True(show.ExitCode == 0, show.Error);
        Assert.Equal(["order_id,amount", "0,0", "1,1.5"], show.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
        Assert.Contains("2 of 30 rows", show.Error, StringComparison.Ordinal);
        var row = JsonDocument.Parse(query.Out).RootElement[0];
        Assert.Equal(30, row.GetProperty("n").GetInt64());
        Assert.Equal(652.5, row.GetProperty("total").GetDouble(), 1e-9);
        Assert.Contains("│        0 │   0.00 │", table.Out, StringComparison.Ordinal);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("query failed:", bad.Error, StringComparison.Ordinal);
        // Past the server's cap the CLI refuses rather than print a silently cut CSV; a limit under it is fine.
        Assert.Equal(1, huge.ExitCode);
        Assert.Contains("more than 100,000 rows", huge.Error, StringComparison.Ordinal);
        Assert.Equal("", huge.Out);
        Assert.True(capped.ExitCode == 0, capped.Error);
        Assert.Equal(["n", "0", "1", "2"], capped.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')));
        Assert.True(exact.ExitCode == 0, exact.Error);
        Assert.Equal(100_001, exact.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }
}
