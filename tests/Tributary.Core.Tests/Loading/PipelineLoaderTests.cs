using System.ComponentModel;
using Tributary.Components;
using Tributary.Components.Sources;
using Tributary.Components.Transforms;
using Microsoft.Extensions.Time.Testing;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Core.Yaml;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Core.Tests.Loading;

public sealed class PipelineLoaderTests
{
    private static readonly ComponentCatalog Catalog = BuiltInComponents.CreateCatalog().Add<NeedsAmount, NeedsAmountParameters>().Add<BrokenPlan, BrokenPlanParameters>();

    private static LoadResult Load(string yaml, LoadOptions? options = null) =>
        new PipelineLoader(Catalog).Load(yaml, "p.yaml", options ?? new LoadOptions { Environment = _ => null });

    [Fact]
    public void Load_QuickstartTemplate_BindsEveryComponentAndParam()
    {
        var result = new PipelineLoader(Catalog).LoadFile(Path.Combine(RepositoryFiles.Templates, "quickstart.yaml"));

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var p = result.Pipeline!;
        Assert.Equal("quickstart", p.Name);
        Assert.Equal(["orders", "customers", "customer_value", "revenue_by_country", "top_customers", "top_customers_file"], p.Components.Select(c => c.Id));
        var orders = Assert.IsType<CsvSourceParameters>(p.Components[0].Parameters);
        Assert.Equal("data/orders.csv", orders.Path);
        Assert.Equal("BIGINT", orders.Columns!["order_id"]);
        var top = Assert.IsType<SqlTransformParameters>(p.Components[4].Parameters);
        Assert.EndsWith("LIMIT ${param.top_n}", top.Sql.Template.Trim(), StringComparison.Ordinal);
        Assert.Equal(20L, top.Sql.Values["param.top_n"]);
        Assert.Equal(3, p.Components[0].Checks.Count);
        Assert.True(p.Components[0].Checks[0].Blocking);
    }

    [Fact]
    public void Load_ParamOverride_WinsOverDefault()
    {
        const string yaml = """
            pipeline: p
            params:
              top_n: { type: integer, default: 10, min: 1 }
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1 LIMIT ${param.top_n}" } }
            """;
        var result = Load(yaml, new LoadOptions { ParamOverrides = new Dictionary<string, string> { ["top_n"] = "3" }, Environment = _ => null });

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var sql = ((SqlTransformParameters)result.Pipeline!.Components[0].Parameters).Sql.Render(new DuckDbDialect());
        Assert.Equal("SELECT 1 LIMIT $1", sql.Sql);
        Assert.Equal(new object?[] { 3L }, sql.Parameters);
        Assert.Equal("3", result.Pipeline.Params[0].Value);
    }

    [Fact]
    public void Load_ParamOverrideOutOfRangeOrUnknown_ReportsBoth()
    {
        const string yaml = """
            pipeline: p
            params:
              top_n: { type: integer, default: 10, min: 1 }
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1 LIMIT ${param.top_n}" } }
            """;
        var result = Load(yaml, new LoadOptions
        {
            ParamOverrides = new Dictionary<string, string> { ["top_n"] = "0", ["topn"] = "4" },
            Environment = _ => null,
        });

        Assert.Equal(
        [
            "p.yaml:2:1: error TRIB0300: --param topn: the pipeline has no param 'topn'. Did you mean 'top_n'? Params: top_n.",
            "p.yaml:3:3: error TRIB0104: --param top_n must be within [1, inf], got 0.",
        ], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_ParamOverrideShortened_SuggestsByWordAndListsTheParams()
    {
        const string yaml = """
            pipeline: p
            description: d
            params:
              model: { type: string, default: bgnbd }
              horizon_days: { type: integer, default: 365 }
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT '${param.model}', ${param.horizon_days}" } }
            """;
        var result = Load(yaml, new LoadOptions { ParamOverrides = new Dictionary<string, string> { ["horizn"] = "6" }, Environment = _ => null });

        Assert.Equal(["p.yaml:3:1: error TRIB0300: --param horizn: the pipeline has no param 'horizn'. Did you mean 'horizon_days'? Params: model, horizon_days."],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_ParamOverrideWithoutParams_SaysThereAreNone()
    {
        const string yaml = """
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1" } }
            """;
        var result = Load(yaml, new LoadOptions { ParamOverrides = new Dictionary<string, string> { ["days"] = "6" }, Environment = _ => null });

        Assert.Equal(["p.yaml:1:1: error TRIB0300: --param days: the pipeline has no param 'days'. The pipeline declares no params."],
            result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_EnvReference_TakesTheInjectedEnvironment()
    {
        const string yaml = """
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT '${env.REGION}' AS region, '$${literal}' AS x" } }
            """;
        var result = Load(yaml, new LoadOptions { Environment = n => n == "REGION" ? "eu" : null });

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        Assert.Equal("SELECT 'eu' AS region, '${literal}' AS x", ((SqlTransformParameters)result.Pipeline!.Components[0].Parameters).Sql.Render(new DuckDbDialect()).Sql);
    }

    [Fact]
    public void Load_InputLacksColumnTheComponentNeeds_PointsAtTheInput()
    {
        const string yaml = """
            pipeline: p
            components:
              - id: orders
                type: source.csv
                with: { path: o.csv, columns: { order_id: BIGINT, total: DOUBLE } }
              - id: value
                type: test.needs_amount
                inputs: [orders]
            """;
        var result = Load(yaml);

        var d = Assert.Single(result.Diagnostics);
        Assert.Equal("p.yaml:8:14: error TRIB0204: input 'orders' has no column 'amount', which test.needs_amount needs. Its columns: order_id, total.", d.ToString());
    }

    [Fact]
    public void Load_InputColumnOfWrongKind_SaysExpectedAndActual()
    {
        const string yaml = """
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: o.csv, columns: { amount: VARCHAR } } }
              - { id: value, type: test.needs_amount, inputs: [orders] }
            """;
        var d = Assert.Single(Load(yaml).Diagnostics);
        Assert.Equal("p.yaml:4:52: error TRIB0204: column 'amount' of input 'orders': expected NUMBER or INTEGER, got TEXT. Cast it in an upstream transform.", d.ToString());
    }

    [Fact]
    public void Load_ScheduleRetryPartitionsSensors_AreParsed()
    {
        const string yaml = """
            pipeline: p
            schedule: { cron: "0 6 * * *", timezone: Europe/Berlin }
            partitions: { type: daily, start: 2024-01-01 }
            retry: { max_retries: 3, delay: 10s, backoff: exponential, jitter: true }
            sensors:
              - { type: file_arrival, path: data/incoming, pattern: "*.csv" }
            components:
              - { id: t, type: transform.sql, with: { sql: SELECT 1 AS x } }
            """;
        var result = Load(yaml);

        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        var p = result.Pipeline!;
        Assert.Equal(new ScheduleSpec("0 6 * * *", "Europe/Berlin", p.Schedule!.Location), p.Schedule);
        Assert.Equal(PartitionGranularity.Daily, p.Partitions!.Type);
        Assert.Equal(new DateOnly(2024, 1, 1), p.Partitions.Start);
        Assert.Equal(new RetrySpec(3, TimeSpan.FromSeconds(10), BackoffKind.Exponential, true), p.Retry);
        Assert.Equal("*.csv", Assert.Single(p.Sensors).Settings["pattern"]);
    }

    [Fact]
    public void Load_EmptyFile_SaysWhatAPipelineNeeds()
    {
        var d = Assert.Single(Load("").Diagnostics);
        Assert.Equal("p.yaml:1:1: error TRIB0101: the file is empty. A pipeline needs at least 'pipeline:' and 'components:'.", d.ToString());
    }

    [Fact]
    public void GetPipelineOrThrow_Invalid_ThrowsWithEveryDiagnostic()
    {
        var result = Load("pipeline: P\ncomponents: []\n");
        var e = Assert.Throws<PipelineException>(result.GetPipelineOrThrow);
        Assert.Equal(2, e.Diagnostics.Count);
    }

    [Fact]
    public void Load_HourlyPartitionsFromYearOne_ReportsTheCountAndTheLimit()
    {
        const string yaml = """
            pipeline: p
            partitions: { type: hourly, start: 0001-01-01 }
            components:
              - { id: orders, type: source.csv, with: { path: "data/${partition.key}.csv" } }
            """;
        var result = Load(yaml, new LoadOptions { Environment = _ => null, Time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T12:00:00Z")) });

        Assert.Equal(
            "p.yaml:2:36: error TRIB0104: hourly partitions from 0001-01-01 make 17,742,024 partitions by today; at most 100,000 are allowed. " +
            "Move 'start' later, or use coarser partitions (daily, weekly, monthly) or fewer keys.",
            Assert.Single(result.Diagnostics).ToString());
    }

    [Fact]
    public void Load_DailyPartitionsTimesKeysOverTheLimit_CountsEveryCombination()
    {
        const string yaml = """
            pipeline: p
            partitions: { type: daily, start: 2000-01-01, keys: [us, eu, apac, latam, mena, africa, nordics, dach, benelux, iberia, uk] }
            components:
              - { id: orders, type: source.csv, with: { path: "data/${partition.key}.csv" } }
            """;
        var options = new LoadOptions { Environment = _ => null, Time = new FakeTimeProvider(DateTimeOffset.Parse("2025-01-01T00:00:00Z")) };

        var d = Assert.Single(Load(yaml, options).Diagnostics);

        Assert.Equal("daily partitions from 2000-01-01 times 11 keys make 100,452 partitions by today; at most 100,000 are allowed.", d.Message);
    }

    [Fact]
    public void Load_PlanStepFails_ShowsAPlanExceptionAndHidesAnyOtherExceptionText()
    {
        const string yaml = """
            pipeline: p
            components:
              - { id: a, type: test.broken_plan, with: { failure: plan } }
              - { id: b, type: test.broken_plan, with: { failure: bug } }
            """;
        var result = Load(yaml);

        Assert.Equal(
        [
            "p.yaml:3:5: error TRIB0105: component 'a' (test.broken_plan): the parameters contradict each other.",
            "p.yaml:4:5: error TRIB0999: component 'b' (test.broken_plan) failed while checking its parameters; this is a bug in Tributary, not necessarily a mistake in the file. " +
            "Please report it with the file (ArgumentException in BrokenPlan.Plan).",
        ], result.Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_TwoComponentsWithTheSameInvalidId_ReportsBothProblemsAndNoException()
    {
        const string yaml = """
            pipeline: p
            components:
              - { id: Orders, type: source.csv, with: { path: a.csv } }
              - { id: Orders, type: source.csv, with: { path: b.csv } }
            """;

        Assert.Equal(
        [
            "p.yaml:3:11: error TRIB0110: component id 'Orders' may use only a-z, 0-9 and _, and not start with a digit; it names a table.",
            "p.yaml:4:11: error TRIB0201: component id 'Orders' is already used at line 3. Ids name tables, so each must be unique.",
        ], Load(yaml).Diagnostics.Select(d => d.ToString()));
    }

    [Fact]
    public void Load_IntegerParameterBeyondItsType_SaysTheRangeNotTheSerializerText()
    {
        const string yaml = """
            pipeline: p
            components:
              - { id: a, type: test.broken_plan, with: { failure: none, count: 3000000000 } }
            """;

        var d = Assert.Single(Load(yaml).Diagnostics);

        Assert.Equal("p.yaml:3:68: error TRIB0104: parameter 'count' must be between -2147483648 and 2147483647, got 3000000000.", d.ToString());
    }

    [Fact]
    public void LoadFile_LargerThanTheLimit_ReadsNoMoreThanTheLimit()
    {
        using var temp = new TempDirectory();
        var path = Path.Combine(temp.Path, "big.yaml");
        File.WriteAllText(path, "pipeline: p\n# " + new string('x', YamlTreeReader.MaxChars) + "\n");

        var d = Assert.Single(new PipelineLoader(Catalog).LoadFile(path).Diagnostics);

        Assert.Equal(DiagnosticCodes.TooLarge, d.Code);
        Assert.Equal(new SourceLocation(path, 1, 1), d.Location);
    }

    [Fact]
    public void LoadFile_EndlessDevice_StopsAtTheLimit()
    {
        Assert.SkipUnless(File.Exists("/dev/zero"), "needs /dev/zero");

        var d = Assert.Single(new PipelineLoader(Catalog).LoadFile("/dev/zero").Diagnostics);

        Assert.Equal(DiagnosticCodes.TooLarge, d.Code);
    }

    public sealed record BrokenPlanParameters
    {
        [Description("plan: a mistake only the plan step sees; bug: an exception with framework text; none: plans.")]
        public required string Failure { get; init; }

        [Description("A number with no [Range]: bounded by int.")]
        public int Count { get; init; }
    }

    public sealed class BrokenPlan : IComponent<BrokenPlanParameters>
    {
        public static string TypeName => "test.broken_plan";
        public static string Description => "Fails in its plan step as told.";
        public static InputArity Inputs => InputArity.None;

        public ComponentPlan Plan(BrokenPlanParameters parameters, PlanContext context) => parameters.Failure switch
        {
            "plan" => throw new PlanException("the parameters contradict each other."),
            "bug" => throw new ArgumentException("An item with the same key has already been added. Key: a"),
            _ => ComponentPlan.Unknown,
        };

        public Task<Materialization> MaterializeAsync(BrokenPlanParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("plan-only test component");
    }

    public sealed record NeedsAmountParameters
    {
        [Description("unused")]
        public string? Note { get; init; }
    }

    public sealed class NeedsAmount : IComponent<NeedsAmountParameters>
    {
        public static string TypeName => "test.needs_amount";
        public static string Description => "Needs a numeric amount column.";
        public static InputArity Inputs => InputArity.One;

        public ComponentPlan Plan(NeedsAmountParameters parameters, PlanContext context) =>
            new(null, [new ColumnRequirement(0, "amount", [DataKind.Number, DataKind.Integer])]);

        public Task<Materialization> MaterializeAsync(NeedsAmountParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("plan-only test component");
    }
}
