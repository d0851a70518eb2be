using System.ComponentModel;
using Tributary.Components;
using Tributary.Components.Sources;
using Tributary.Components.Transforms;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Testing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Core.Tests.Loading;

public sealed class PipelineLoaderTests
{
    private static readonly ComponentCatalog Catalog = BuiltInComponents.CreateCatalog().Add<NeedsAmount, NeedsAmountParameters>();

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
            "p.yaml:1:1: error TRIB0300: --param topn: the pipeline has no param 'topn'. Did you mean 'top_n'?",
            "p.yaml:3:3: error TRIB0104: --param top_n must be within [1, inf], got 0.",
        ], result.Diagnostics.Select(d => d.ToString()));
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
