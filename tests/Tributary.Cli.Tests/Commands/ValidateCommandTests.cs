using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

public sealed class ValidateCommandTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(RepositoryFiles.InvalidPipelines, "*.yaml").Order()) data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(Fixtures))]
    public async Task Validate_InvalidFixture_PrintsTheSharedExpectedDiagnosticsAndExitsOne(string name)
    {
        if (name == "undefined_env") Assert.Null(Environment.GetEnvironmentVariable("TRIB_TEST_SURELY_UNSET"));
        var path = Path.Combine(RepositoryFiles.InvalidPipelines, name + ".yaml");
        var shown = Path.GetRelativePath(Environment.CurrentDirectory, path);
        var expected = File.ReadAllLines(Path.Combine(RepositoryFiles.InvalidPipelines, name + ".expected")).Where(l => l.Length > 0);

        var result = await Trib.RunAsync("validate", path);

        Assert.Equal(1, result.ExitCode);
        var diagnostics = result.ErrorLines.Where(l => l.StartsWith(shown + ":", StringComparison.Ordinal)).Select(l => name + ".yaml" + l[shown.Length..]);
        Assert.Equal(expected, diagnostics);
        Assert.DoesNotContain("   at ", result.Error, StringComparison.Ordinal);
    }

    public static TheoryData<string> ValidFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(RepositoryFiles.ValidPipelines, "*.yaml").Order()) data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidFixtures))]
    public async Task Validate_ValidFixture_ExitsZero(string name)
    {
        var result = await Trib.RunAsync("validate", Path.Combine(RepositoryFiles.ValidPipelines, name + ".yaml"));

        Assert.True(result.ExitCode == 0, result.Error);
    }

    [Fact]
    public async Task Validate_PrintsTheSourceLineWithACaretUnderTheColumn()
    {
        var path = Path.Combine(RepositoryFiles.InvalidPipelines, "unknown_component_type.yaml");
        var result = await Trib.RunAsync("validate", path);

        var lines = result.ErrorLines;
        var at = lines.ToList().FindIndex(l => l.Contains("TRIB0200", StringComparison.Ordinal));
        Assert.Equal("    4 |     type: source.cvs", lines[at + 1]);
        Assert.Equal("      |           ^", lines[at + 2]);
        Assert.Equal("1 error", lines[^1]);
    }

    // The review's evil_export.yaml, saved as a pipeline file: refused before any run could write tributary.yaml.
    [Fact]
    public async Task Validate_ExportOverTributaryYaml_ExitsOneWithTrib0111AtThePathKey()
    {
        using var temp = new TempDirectory();
        Assert.Equal(0, (await Trib.RunAsync("init", temp.Path)).ExitCode);
        var file = temp.File("pipelines/evil_export.yaml", """
            pipeline: evil_export
            components:
              - { id: cfg, type: transform.sql, with: { sql: "SELECT 1 AS \"allowed_paths: [/]\"" } }
              - id: cfg_file
                type: export.csv
                inputs: [cfg]
                with: { path: tributary.yaml }
            """);

        var result = await Trib.RunAsync("validate", "--project", temp.Path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{Path.GetRelativePath(Environment.CurrentDirectory, file)}:7:13: error TRIB0111: component 'cfg_file' (export.csv): parameter 'path': " +
            $"path 'tributary.yaml' resolves to '{Path.Combine(temp.Path, "tributary.yaml")}', which is 'tributary.yaml', one of the project's control files",
            result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_ValidTemplate_ExitsZero()
    {
        var result = await Trib.RunAsync("validate", Path.Combine(RepositoryFiles.Templates, "quickstart.yaml"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("(6 components)", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_TwoHundredKilobytesOfNesting_ExitsOneWithAPositionNotACrash()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "deep.yaml");
        File.WriteAllText(path, new string('[', 200_000));

        // A child process: a stack overflow would end it with 134, and could not end the test run.
        using var trib = Trib.Start("validate", path);
        var error = await trib.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await trib.WaitForExitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(1, trib.ExitCode);
        Assert.Contains("deep.yaml:1:65: error TRIB0003: nesting deeper than 64 levels", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Validate_HourlyPartitionsFromYearOne_ExitsOneWithTheCountAndTheLimit()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "hourly.yaml");
        File.WriteAllText(path, """
            pipeline: hourly
            partitions: { type: hourly, start: 0001-01-01 }
            components:
              - { id: orders, type: source.csv, with: { path: "data/${partition.key}.csv" } }
            """);

        var result = await Trib.RunAsync("validate", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Matches(@"hourly\.yaml:2:36: error TRIB0104: hourly partitions from 0001-01-01 make [0-9]{2},[0-9]{3},[0-9]{3} partitions by today; at most 100,000 are allowed\.", result.Error);
    }

    // A misspelt column in an SQL step was found only when the step ran, after every step before it; validate now binds the
    // query over empty tables of its inputs' declared columns.
    [Fact]
    public async Task Validate_SqlStepNamingAColumnItsInputLacks_ExitsOneAtTheSqlWithTheEngineMessageAndQueryLine()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "orders.yaml");
        File.WriteAllText(path, """
            pipeline: orders
            components:
              - { id: orders, type: source.csv, with: { path: o.csv, columns: { customer_id: VARCHAR, ordered_at: DATE, total: DOUBLE } } }
              - id: customer_orders
                type: transform.sql
                inputs: [orders]
                with:
                  sql: |
                    SELECT customer_id, ordered_at,
                           totl AS amount
                    FROM orders
            """);

        var result = await Trib.RunAsync("validate", path);

        Assert.Equal(1, result.ExitCode);
        var line = Assert.Single(result.ErrorLines, l => l.Contains("TRIB0212", StringComparison.Ordinal));
        Assert.StartsWith("orders.yaml:8:12: error TRIB0212: component 'customer_orders' (transform.sql): its SQL does not run on its inputs (line 2 of the query): ",
            Path.GetFileName(line), StringComparison.Ordinal);
        Assert.Contains("\"totl\"", line, StringComparison.Ordinal);
        Assert.Contains("\"total\"", line, StringComparison.Ordinal); // the engine's candidate
        Assert.Contains("1 error", result.Error, StringComparison.Ordinal);
    }

    // What an SQL step returns is now known before the run, so a step after it that needs a column the query does not
    // return is reported at that step (before, any SQL step ended the check of what came after it).
    [Fact]
    public async Task Validate_SqlStepWhoseResultLacksAColumnTheNextStepNeeds_ExitsOneAtTheNextStepsInput()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "ltv.yaml");
        File.WriteAllText(path, """
            pipeline: ltv
            components:
              - { id: orders, type: source.csv, with: { path: o.csv, columns: { customer_id: VARCHAR, ordered_at: DATE, total: DOUBLE } } }
              - { id: customer_orders, type: transform.sql, inputs: [orders], with: { sql: "SELECT customer_id, ordered_at, total AS amt FROM orders WHERE total > ${param.floor}" } }
              - { id: ltv, type: analytics.ltv, inputs: [customer_orders] }
            params:
              floor: { type: number, default: 0 }
            """);

        var result = await Trib.RunAsync("validate", path);

        Assert.Equal(1, result.ExitCode);
        Assert.Contains("ltv.yaml:5:46: error TRIB0204: input 'customer_orders' has no column 'amount', which analytics.ltv needs.", result.Error, StringComparison.Ordinal);
        Assert.DoesNotContain("TRIB0212", result.Error, StringComparison.Ordinal);
    }

    // A query reading a file or a table that is not an input can only be described at run time: no false error, and the
    // check reads nothing outside the process.
    [Fact]
    public async Task Validate_SqlStepReadingAFileOrATableOutsideItsInputs_IsLeftToTheRun()
    {
        using var temp = new TempDirectory();
        var secret = Path.Combine(temp.Path, "secret.csv");
        File.WriteAllText(secret, "a\n1\n");
        var path = Path.Combine(temp.Path, "outside.yaml");
        File.WriteAllText(path, $$"""
            pipeline: outside
            components:
              - { id: orders, type: source.csv, with: { path: o.csv, columns: { total: DOUBLE } } }
              - { id: from_file, type: transform.sql, inputs: [orders], with: { sql: "SELECT a FROM read_csv('{{secret}}') JOIN orders ON TRUE" } }
              - { id: from_table, type: transform.sql, inputs: [orders], with: { sql: "SELECT x.nope FROM other_pipelines_table x JOIN orders ON TRUE" } }
            """);

        var result = await Trib.RunAsync("validate", path);

        Assert.Equal(0, result.ExitCode);
        Assert.Contains("(3 components)", result.Error, StringComparison.Ordinal);
    }

    // validate took every argument for a file name ("no pipeline '--param'"); it now takes params as trib run does.
    [Fact]
    public async Task Validate_WithParam_ExpandsItAsRunDoesAndChecksItsValue()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "top.yaml");
        File.WriteAllText(path, """
            pipeline: top
            params:
              top_n: { type: integer, min: 1 }
            components:
              - { id: top, type: transform.sql, with: { sql: "SELECT 1 AS n LIMIT ${param.top_n}" } }
            """);

        var missing = await Trib.RunAsync("validate", path);
        var given = await Trib.RunAsync("validate", path, "--param", "top_n=5");
        var invalid = await Trib.RunAsync("validate", path, "--param", "top_n=0");
        var unknown = await Trib.RunAsync("validate", path, "--param", "top=5");

        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("has no default and no value was given.", missing.Error, StringComparison.Ordinal);
        Assert.True(given.ExitCode == 0, given.Error);
        Assert.Contains("ok  ", given.Error, StringComparison.Ordinal);
        Assert.Equal(1, invalid.ExitCode);
        Assert.Contains("top_n", invalid.Error, StringComparison.Ordinal);
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("--param top: the pipeline has no param 'top'.", unknown.Error, StringComparison.Ordinal);
    }

    // full_cdp wrote raw churn and campaign CSVs into out/audiences/, beside the hashed Meta files a script uploads from there.
    [Fact]
    public async Task Validate_RawAudienceFileInTheFolderOfHashedOnes_WarnsAtTheRawOne_AndTheShippedTemplatesKeepThemApart()
    {
        using var temp = new TempDirectory();
        var project = Path.Combine(temp.Path, "p");
        Assert.Equal(0, (await Trib.RunAsync("init", project)).ExitCode);
        File.WriteAllText(Path.Combine(project, "pipelines", "ads.yaml"), """
            pipeline: ads
            components:
              - { id: people, type: transform.sql, with: { sql: "SELECT 'a@x.com' AS email, true AS marketing_consent" } }
              - { id: meta_file, type: activate.audience_file, inputs: [people], with: { path: out/audiences/meta.csv, format: meta_custom_audience } }
            """);
        File.WriteAllText(Path.Combine(project, "pipelines", "crm.yaml"), """
            pipeline: crm
            components:
              - { id: people, type: transform.sql, with: { sql: "SELECT 'a@x.com' AS email, true AS marketing_consent" } }
              - { id: raw_file, type: activate.audience_file, inputs: [people], with: { path: "out/audiences/../audiences/raw.csv" } }
              - { id: apart, type: activate.audience_file, inputs: [people], with: { path: out/contacts/raw.csv } }
            """);

        var mixed = await Trib.RunAsync("validate", "--project", project);
        foreach (var name in new[] { "ads", "crm" }) File.Delete(Path.Combine(project, "pipelines", name + ".yaml"));
        foreach (var template in new[] { "full_cdp", "customer_ltv", "churn_prevention", "propensity_marketing" })
            Assert.Equal(0, (await Trib.RunAsync("templates", "add", template, "--project", project)).ExitCode);
        var shipped = await Trib.RunAsync("validate", "--project", project);

        Assert.Equal(0, mixed.ExitCode);
        var warning = Assert.Single(mixed.ErrorLines, l => l.Contains("TRIB0213", StringComparison.Ordinal));
        Assert.Contains("crm.yaml:4:5: warning TRIB0213: audience file 'raw_file' writes raw contact data (csv: emails and phones as they are) to out/audiences, "
            + "where step 'meta_file' of pipeline 'ads' (", warning, StringComparison.Ordinal);
        Assert.EndsWith("ads.yaml) writes hashed meta_custom_audience files: whatever uploads that folder to an ad platform would send these unhashed. "
            + "Write it to another folder (e.g. out/contacts/), or use format: meta_custom_audience or google_customer_match.", warning, StringComparison.Ordinal);
        Assert.DoesNotContain("TRIB0213", shipped.Error, StringComparison.Ordinal);
    }
}
