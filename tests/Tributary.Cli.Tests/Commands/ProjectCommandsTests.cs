using System.Globalization;
using System.Text.Json;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>A user's path through the CLI: init, templates add, run, runs, show, query, with every output format.</summary>
public sealed class ProjectCommandsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "shop");

    public void Dispose() => _temp.Dispose();

    private async Task<string> RunQuickstartPipelineAsync()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        Components.Samples.QuickstartStore.Write(Path.Combine(Project, "data"), customers: 100);
        Assert.Equal(0, (await Trib.RunAsync("templates", "add", "quickstart", "--project", Project)).ExitCode);
        var run = await Trib.RunAsync("run", "quickstart", "--project", Project, "--param", "top_n=3");
        Assert.True(run.ExitCode == 0, run.Error);
        return run.ErrorLines.Single(l => l.StartsWith("run ", StringComparison.Ordinal) && l.Contains(" succeeded", StringComparison.Ordinal)).Split(' ')[1];
    }

    [Fact]
    public async Task Run_Quickstart_SucceedsAndShowsPlainProgressWhenRedirected()
    {
        var runId = await RunQuickstartPipelineAsync();
        var runs = await Trib.RunAsync("runs", "--project", Project, "--format", "json");

        var list = JsonDocument.Parse(runs.Out).RootElement;
        Assert.Equal(runId, list[0].GetProperty("run_id").GetString());
        Assert.Equal("succeeded", list[0].GetProperty("status").GetString());
        Assert.Equal(3, File.ReadAllLines(Path.Combine(Project, "out/top_customers.csv")).Length - 1);
    }

    // The quickstart template read data/orders.csv and data/customers.csv, which no command wrote (trib demo-data writes
    // data/demo/): added to a demo-data project it failed with "no file matches 'data/orders.csv'".
    [Fact]
    public async Task TemplatesAdd_QuickstartInADemoDataProject_WritesItsSampleFilesAndRuns()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        Assert.Equal(0, (await Trib.RunAsync("demo-data", "--project", Project, "--customers", "50", "--days", "60")).ExitCode);

        var add = await Trib.RunAsync("templates", "add", "quickstart", "--project", Project);
        var run = await Trib.RunAsync("run", "quickstart", "--project", Project);

        Assert.Equal(0, add.ExitCode);
        Assert.Contains($"wrote a sample shop to {Path.Combine("data", "orders.csv")} and {Path.Combine("data", "customers.csv")} for quickstart (replace them with your own exports, same columns)", add.ErrorLines);
        Assert.True(run.ExitCode == 0, run.Error);
        Assert.True(File.Exists(Path.Combine(Project, "out/top_customers.csv")));
    }

    [Fact]
    public async Task TemplatesAdd_QuickstartWithOwnOrders_LeavesTheFilesAlone()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        Components.Samples.QuickstartStore.Write(Path.Combine(Project, "data"), customers: 7);
        var before = File.ReadAllText(Path.Combine(Project, "data", "orders.csv"));

        var add = await Trib.RunAsync("templates", "add", "quickstart", "--project", Project);

        Assert.Equal(0, add.ExitCode);
        Assert.DoesNotContain(add.ErrorLines, l => l.StartsWith("wrote a sample shop", StringComparison.Ordinal));
        Assert.Equal(before, File.ReadAllText(Path.Combine(Project, "data", "orders.csv")));
    }

    [Fact]
    public async Task Runs_MultiLineError_TableShowsItsFirstLineAndRunsShowAll()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "broken.yaml"), """
            pipeline: broken
            components:
              - { id: boom, type: transform.sql, with: { sql: "SELECT CAST('abc' AS INTEGER) AS x" } }
            """);
        var run = await Trib.RunAsync("run", "broken", "--project", Project);
        Assert.NotEqual(0, run.ExitCode);
        var runId = run.ErrorLines.Single(l => l.StartsWith("run ", StringComparison.Ordinal) && l.Contains(" failed:", StringComparison.Ordinal)).Split(' ')[1];

        var table = (await Trib.RunAsync("runs", "--project", Project)).Out;
        var show = await Trib.RunAsync("runs", "show", runId, "--project", Project);

        Assert.Contains("boom (transform.sql) failed: Conversion Error: Could not convert string 'abc' to INT32 …", table, StringComparison.Ordinal);
        Assert.DoesNotContain("LINE ", table, StringComparison.Ordinal);
        Assert.Equal(5, table.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length); // top, header, rule, one row, bottom
        Assert.Contains("LINE 2: SELECT CAST('abc' AS INTEGER) AS x", show.Error + show.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunsShow_ListsStepsWithRowsAndChecks()
    {
        var runId = await RunQuickstartPipelineAsync();
        var show = await Trib.RunAsync("runs", "show", runId, "--project", Project, "--format", "csv");

        Assert.Equal(0, show.ExitCode);
        var lines = show.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal("asset,component,status,attempts,rows,duration_s,peak_rss_mb,error", lines[0]);
        Assert.StartsWith("customers,source.csv,succeeded,1,100,", lines.Single(l => l.StartsWith("customers,", StringComparison.Ordinal)), StringComparison.Ordinal);
        Assert.Equal(7, lines.Length);
        // Every step that ran records the process's peak resident memory (this process is at least tens of MB).
        Assert.All(lines.Skip(1), l => Assert.InRange(double.Parse(l.Split(',')[6], CultureInfo.InvariantCulture), 10, 1e6));

        var json = JsonDocument.Parse((await Trib.RunAsync("runs", "show", runId, "--project", Project, "--format", "json")).Out).RootElement;
        Assert.Equal("succeeded", json.GetProperty("status").GetString());
        var check = json.GetProperty("checks").EnumerateArray().First(c => c.GetProperty("check").GetString() == "unique(order_id)");
        Assert.True(check.GetProperty("passed").GetBoolean());
        Assert.Equal("no duplicates", check.GetProperty("detail").GetString());
        Assert.Contains(json.GetProperty("events").EnumerateArray(), e => e.GetProperty("kind").GetString() == "RunEnded");
    }

    [Fact]
    public async Task ShowAndQuery_PrintWarehouseRows()
    {
        await RunQuickstartPipelineAsync();

        var show = await Trib.RunAsync("show", "top_customers", "--project", Project, "--limit", "2", "--format", "csv");
        Assert.Equal(0, show.ExitCode);
        Assert.Equal(3, show.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Contains("2 of 3 rows", show.Error, StringComparison.Ordinal);

        var query = await Trib.RunAsync("query", "SELECT count(*) AS n FROM customer_value", "--project", Project, "--format", "json");
        Assert.Equal(100, JsonDocument.Parse(query.Out).RootElement[0].GetProperty("n").GetInt64());

        // Dates read from the warehouse are DateOnly on every engine; they print as ISO dates in every format.
        var dates = await Trib.RunAsync("query", "SELECT CAST('2025-03-04' AS DATE) AS d", "--project", Project, "--format", "csv");
        Assert.Equal(["d", "2025-03-04"], dates.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        // A timestamp at midnight is still a timestamp, in a table as in CSV.
        var midnight = await Trib.RunAsync("query", "SELECT CAST('2025-03-04 00:00:00' AS TIMESTAMP) AS t", "--project", Project, "--format", "csv");
        Assert.Equal(["t", "2025-03-04 00:00:00"], midnight.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        var table = await Trib.RunAsync("query", "SELECT CAST('2025-03-04 00:00:00' AS TIMESTAMP) AS t", "--project", Project);
        Assert.Contains("2025-03-04 00:00:00", table.Out, StringComparison.Ordinal);

        var missing = await Trib.RunAsync("show", "top_customer", "--project", Project);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("error: no asset 'top_customer' in the warehouse. Did you mean 'top_customers'?", missing.Error, StringComparison.Ordinal);

        var bad = await Trib.RunAsync("query", "SELEC 1", "--project", Project);
        Assert.Equal(1, bad.ExitCode);
        Assert.StartsWith("error: query failed:", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_FailingPipeline_ExitsTwoAndNamesTheStep()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines/broken.yaml"), """
            pipeline: broken
            components:
              - { id: orders, type: source.csv, with: { path: data/missing.csv } }
            """);

        var run = await Trib.RunAsync("run", "broken", "--project", Project);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("failed: orders (source.csv) failed: no file matches 'data/missing.csv'", run.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_UnknownPipelineOrInvalidOne_ExitsOne()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        Assert.Equal(0, (await Trib.RunAsync("templates", "add", "quickstart", "--project", Project)).ExitCode);

        var unknown = await Trib.RunAsync("run", "quickstar", "--project", Project);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Equal("error: no pipeline 'quickstar' in pipelines. Did you mean 'quickstart'? Pipelines: quickstart.\n", unknown.Error.ReplaceLineEndings("\n"));

        var badParam = await Trib.RunAsync("run", "quickstart", "--project", Project, "--param", "top_n=0");
        Assert.Equal(1, badParam.ExitCode);
        Assert.Contains("error TRIB0104: --param top_n must be within [1, 10000], got 0.", badParam.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Init_Twice_RefusesToOverwrite()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        Assert.True(File.Exists(Path.Combine(Project, "tributary.yaml")));
        var again = await Trib.RunAsync("init", Project);
        Assert.Equal(1, again.ExitCode);
        Assert.Contains("already exists", again.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ComponentsAndSchema_DescribeTheCatalog()
    {
        var components = await Trib.RunAsync("components", "--format", "csv");
        Assert.Contains("source.csv,source,no inputs,Load CSV files with a header row into a table.", components.Out, StringComparison.Ordinal);

        var schema = await Trib.RunAsync("schema", "transform.sql");
        var json = JsonDocument.Parse(schema.Out).RootElement;
        Assert.Equal("sql", json.GetProperty("required")[0].GetString());

        var unknown = await Trib.RunAsync("schema", "transform.sq");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("Did you mean 'transform.sql'?", unknown.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Schema_SegmentAudience_ListsConditionsMatchLimitAndOrderBy()
    {
        var schema = await Trib.RunAsync("schema", "segment.audience");

        var json = JsonDocument.Parse(schema.Out).RootElement;
        Assert.Equal(["conditions", "match", "limit", "order_by"], json.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["conditions"], json.GetProperty("required").EnumerateArray().Select(r => r.GetString()));
        Assert.Equal(["all", "any"], json.GetProperty("properties").GetProperty("match").GetProperty("enum").EnumerateArray().Select(r => r.GetString()));
    }

    // trib schema printed "timestamp \u002B '.'" for "timestamp + '.'", and a duration's pattern was hh:mm:ss beside its default 1s.
    [Fact]
    public async Task Schema_ReadableTextAndDurationsWrittenAsPipelinesWriteThem()
    {
        var schema = await Trib.RunAsync("schema", "activate.webhook");

        Assert.Equal(0, schema.ExitCode);
        Assert.DoesNotContain("\\u00", schema.Out, StringComparison.Ordinal);
        Assert.Contains("HMAC-SHA256(secret, timestamp + '.' + body)", schema.Out, StringComparison.Ordinal);
        Assert.Contains("shown as <env NAME>", schema.Out, StringComparison.Ordinal);
        var delay = JsonDocument.Parse(schema.Out).RootElement.GetProperty("properties").GetProperty("retry_delay");
        Assert.Equal(["type", "pattern", "description", "default"], delay.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("string", "^\\s*[0-9.]+(ms|s|m|h|d)\\s*$", "1s"),
            (delay.GetProperty("type").GetString(), delay.GetProperty("pattern").GetString(), delay.GetProperty("default").GetString()));
        Assert.Matches(delay.GetProperty("pattern").GetString()!, "500ms");
        Assert.DoesNotMatch(delay.GetProperty("pattern").GetString()!, "00:00:01");
    }

    [Fact]
    public async Task Templates_ListsShippedTemplatesAndAddSuggestsNames()
    {
        var list = await Trib.RunAsync("templates", "--format", "csv");
        Assert.Contains("quickstart,", list.Out, StringComparison.Ordinal);

        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var bad = await Trib.RunAsync("templates", "add", "quikstart", "--project", Project);
        Assert.Equal(1, bad.ExitCode);
        Assert.Contains("Did you mean 'quickstart'?", bad.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TemplatesAdd_BesideATemplateWritingTheSameTables_WarnsNamingTheTablesAndThePipeline_AndSucceeds()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var first = await Trib.RunAsync("templates", "add", "customer_ltv", "--project", Project);
        var second = await Trib.RunAsync("templates", "add", "full_cdp", "--project", Project);

        Assert.Equal(0, first.ExitCode);
        Assert.DoesNotContain("warning", first.Error, StringComparison.Ordinal);
        Assert.Equal(0, second.ExitCode);
        var warning = Assert.Single(second.ErrorLines, l => l.StartsWith("warning", StringComparison.Ordinal));
        Assert.Equal(SharedWarning, warning);
    }

    [Fact]
    public async Task TemplatesAdd_FullCdp_NamesTheUnsetWebhookVariableAndItsLine_AndTheFirstRunWarnsThere()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        Assert.Null(Environment.GetEnvironmentVariable("CHURN_WEBHOOK_URL"));

        var ltv = await Trib.RunAsync("templates", "add", "customer_ltv", "--project", Project);
        var full = await Trib.RunAsync("templates", "add", "full_cdp", "--project", Project);

        Assert.Equal(0, full.ExitCode);
        Assert.DoesNotContain("needs", ltv.Error, StringComparison.Ordinal);
        var lines = File.ReadAllLines(Path.Combine(Project, "pipelines", "full_cdp.yaml"));
        var line = Array.FindIndex(lines, l => l.Contains("url_env: CHURN_WEBHOOK_URL", StringComparison.Ordinal));
        var column = lines[line].IndexOf("CHURN_WEBHOOK_URL", StringComparison.Ordinal) + 1;
        var expected = $"pipelines/full_cdp.yaml:{line + 1}:{column}: warning TRIB0301: 'url_env' of component 'churn_webhook' (activate.webhook) names environment variable "
            + "'CHURN_WEBHOOK_URL', which is not set here: the step would fail when it runs. Set CHURN_WEBHOOK_URL where runs happen (trib serve's environment, or the shell of trib run).";
        Assert.Equal($"needs CHURN_WEBHOOK_URL: {expected}", Assert.Single(full.ErrorLines, l => l.StartsWith("needs", StringComparison.Ordinal)));

        // A pipeline of one webhook whose variable is not set: the run says so at the line before it starts, and the step's error names it.
        var variable = "TRIB_TEST_HOOK_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
        File.WriteAllText(Path.Combine(Project, "pipelines", "hook.yaml"), $$"""
            pipeline: hook
            components:
              - { id: people, type: transform.sql, with: { sql: "SELECT 'c1' AS customer_id" } }
              - { id: crm, type: activate.webhook, inputs: [people], with: { url_env: {{variable}}, consent: ignore } }
            """);
        var run = await Trib.RunAsync("run", "hook", "--project", Project);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"pipelines/hook.yaml:4:75: warning TRIB0301: 'url_env' of component 'crm' (activate.webhook) names environment variable '{variable}', which is not set here", run.Error, StringComparison.Ordinal);
        Assert.Contains($"environment variable '{variable}' (url_env) is not set, so there is no endpoint to post to.", run.Error, StringComparison.Ordinal);
    }

    // A template came with its schedule on: a trib serve already running started it at the next tick, before the user had checked it.
    [Fact]
    public async Task TemplatesAdd_TemplateWithASchedule_AddsItPausedAndSaysHowToTurnItOn()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);

        var add = await Trib.RunAsync("templates", "add", "customer_ltv", "--project", Project);
        var listed = await Trib.RunAsync("schedules", "--project", Project, "--format", "csv");
        var resume = await Trib.RunAsync("schedules", "resume", "customer_ltv", "--project", Project);
        var after = await Trib.RunAsync("schedules", "--project", Project, "--format", "csv");

        Assert.Equal(0, add.ExitCode);
        Assert.Contains("customer_ltv's schedule 0 6 * * * UTC: paused, so trib serve starts no run of it on its own; "
            + "to turn it on: trib schedules resume customer_ltv (or tick On for it under Pipelines on the Schedules & sensors page of trib serve's web UI)", add.ErrorLines);
        Assert.Equal(["pipeline,triggers,state", "customer_ltv,schedule 0 6 * * * UTC,paused"], listed.Out.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')));
        Assert.Equal(0, resume.ExitCode);
        Assert.Contains("customer_ltv: schedule 0 6 * * * UTC on", resume.ErrorLines);
        Assert.EndsWith("customer_ltv,schedule 0 6 * * * UTC,on", after.Out.TrimEnd(), StringComparison.Ordinal);
    }

    // A New York shop's template schedule runs at 06:00 in New York: the template names no zone, the project does.
    [Fact]
    public async Task TemplatesAdd_InANewYorkProject_TheSchedulesZoneIsTheProjects()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.AppendAllText(Path.Combine(Project, "tributary.yaml"), "\ntimezone: America/New_York\n");

        var add = await Trib.RunAsync("templates", "add", "customer_ltv", "--project", Project);
        var listed = await Trib.RunAsync("schedules", "--project", Project, "--format", "csv");

        Assert.Equal(0, add.ExitCode);
        Assert.Contains(add.ErrorLines, l => l.StartsWith("customer_ltv's schedule 0 6 * * * America/New_York: paused", StringComparison.Ordinal));
        Assert.Equal(["pipeline,triggers,state", "customer_ltv,schedule 0 6 * * * America/New_York,paused"], listed.Out.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r')));
    }

    [Fact]
    public async Task TemplatesAdd_TemplateWithoutSchedule_SaysNothingAboutSchedules()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);

        var add = await Trib.RunAsync("templates", "add", "quickstart", "--project", Project);

        Assert.Equal(0, add.ExitCode);
        Assert.DoesNotContain("paused", add.Error, StringComparison.Ordinal);
    }

    private const string SharedWarning = "warning TRIB0209: pipelines/full_cdp.yaml writes 3 table(s) that pipeline 'customer_ltv' (pipelines/customer_ltv.yaml) also writes, " +
        "defined differently: identity_graph, customer_orders, customer_ltv (and the tables built from them). Whichever runs last replaces the other's results, " +
        "and the other's dashboard then shows them. full_cdp is the whole platform in one pipeline: use it, or the single templates, not both. trib validate shows each one.";
}
