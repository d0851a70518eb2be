using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>POST /api/audiences/preview counts what segment.audience writes, on both engines, and refuses what does not fit the table.</summary>
public sealed class AudiencesApiTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _pgEnv = "TRIB_TEST_PG_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_pgEnv, null);
        _temp.Dispose();
    }

    // Forty profiles: tiers cycle platinum, gold, silver, bronze; every third opted out; orders 5 to 395 days ago by tens.
    private const string Profiles = """
          - id: profiles
            type: transform.sql
            with:
              sql: |
                SELECT 'c' || CAST(n AS VARCHAR) AS customer_id,
                       CASE n % 4 WHEN 0 THEN 'platinum' WHEN 1 THEN 'gold' WHEN 2 THEN 'silver' ELSE 'bronze' END AS tier,
                       n % 3 <> 0 AS marketing_consent, CAST(n * 25 AS DOUBLE PRECISION) AS clv,
                       CAST(CURRENT_TIMESTAMP AS TIMESTAMP) - INTERVAL '1 day' * (n * 10 + 5) AS last_order_at
                FROM generate_series(0, 39) AS s(n)
        """;

    private const string Conditions = """
        [{ column: tier, op: in, value: "platinum, gold" }, { column: marketing_consent, op: "=", value: "true" }, { column: last_order_at, op: within last, value: 90 }]
        """;

    private async Task<InProcessServer> RunAndServeAsync(string engine)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        if (engine == "postgres")
        {
            var settings = Path.Combine(Project, "tributary.yaml");
            ProjectSettingsFile.UsePostgresWarehouse(settings, _pgEnv);
            Environment.SetEnvironmentVariable(_pgEnv, await postgres.NewSchemaAsync());
        }
        File.WriteAllText(Path.Combine(Project, "pipelines", "audiences.yaml"), "pipeline: audiences\ncomponents:\n" + Profiles + "\n"
            + $"  - {{ id: top_recent, type: segment.audience, inputs: [profiles], with: {{ conditions: {Conditions.Trim()} }} }}\n"
            + "  - { id: top_three, type: segment.audience, inputs: [profiles], with: { conditions: [{ column: tier, op: in, value: [platinum, \"gold, silver\"] }], limit: 3, order_by: clv desc } }\n");
        var run = await Trib.RunAsync("run", "audiences", "--project", Project);
        Assert.True(run.ExitCode == 0, run.Error);
        var served = await InProcessServer.StartAsync(Project, Ct);
        served.SendWriteSecret();
        return served;
    }

    private static Task<HttpResponseMessage> PreviewAsync(HttpClient http, object body) => http.PostAsJsonAsync("/api/audiences/preview", body, Ct);

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Preview_SameConditionsAsTheStep_CountsTheRowsTheRunWrote(string engine)
    {
        await using var served = await RunAndServeAsync(engine);
        using var written = await served.Http.PostAsJsonAsync("/api/query", new { sql = "SELECT count(*) FROM top_recent" }, Ct);
        var runCount = (await written.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rows")[0][0].GetInt64();

        using var answer = await PreviewAsync(served.Http, new
        {
            table = "profiles", match = "all",
            conditions = new object[]
            {
                new { column = "tier", op = "in", values = new[] { "platinum", "gold" } },
                new { column = "marketing_consent", op = "=", value = "true" },
                new { column = "last_order_at", op = "within last", value = "90" },
            },
        });

        Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync(Ct));
        var preview = (await answer.Content.ReadFromJsonAsync<AudiencePreview>(ApiJson.Options, Ct))!;
        // Days 5-85 are n 0-8: platinum or gold (n % 4 in 0, 1) and not n % 3 = 0: n = 1, 4, 5, 8.
        Assert.Equal(4, runCount);
        Assert.Equal(runCount, preview.Count);
        Assert.Equal(40, preview.Total);
        Assert.Equal(["customer_id", "tier", "marketing_consent", "clv", "last_order_at"], preview.Columns.Select(c => c.Name));
        Assert.Equal(4, preview.Sample.Count);
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Preview_LimitOrderByAndAListItemWithAComma_CountsAndOrdersAsTheStepWrote(string engine)
    {
        await using var served = await RunAndServeAsync(engine);
        using var written = await served.Http.PostAsJsonAsync("/api/query", new { sql = "SELECT customer_id FROM top_three ORDER BY clv DESC" }, Ct);
        var runIds = (await written.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("rows").EnumerateArray().Select(r => r[0].GetString()).ToList();

        using var answer = await PreviewAsync(served.Http, new
        {
            table = "profiles", limit = 3, order_by = "clv desc",
            conditions = new object[] { new { column = "tier", op = "in", values = new[] { "platinum", "gold, silver" } } },
        });

        Assert.True(answer.StatusCode == HttpStatusCode.OK, await answer.Content.ReadAsStringAsync(Ct));
        var preview = (await answer.Content.ReadFromJsonAsync<AudiencePreview>(ApiJson.Options, Ct))!;
        // Platinum is n % 4 = 0 (ten rows; 'gold, silver' is one item, no tier); the three largest clv are n = 36, 32, 28.
        Assert.Equal(["c36", "c32", "c28"], runIds);
        Assert.Equal(3, preview.Count);
        Assert.Equal(runIds, preview.Sample.Select(r => ((JsonElement)r[0]!).GetString()));
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Preview_UnknownColumnOrMistypedValue_IsA400SayingWhich(string engine)
    {
        await using var served = await RunAndServeAsync(engine);

        using var unknown = await PreviewAsync(served.Http, new { table = "profiles", conditions = new[] { new { column = "teir", op = "=", value = "gold" } } });
        using var mistyped = await PreviewAsync(served.Http, new { table = "profiles", conditions = new[] { new { column = "clv", op = ">", value = "lots" } } });
        using var noTable = await PreviewAsync(served.Http, new { table = "profilez", conditions = Array.Empty<object>() });

        Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        Assert.Equal("condition 1 (teir = gold): 'profiles' has no column 'teir'. Did you mean 'tier'? Its columns: customer_id, tier, marketing_consent, clv, last_order_at.",
            await DetailAsync(unknown));
        Assert.Equal(HttpStatusCode.BadRequest, mistyped.StatusCode);
        Assert.Equal("condition 1 (clv > lots): column 'clv' is a number (DOUBLE), so its value must be a number, got 'lots'.".Replace("(DOUBLE)", engine == "duckdb" ? "(DOUBLE)" : "(double precision)", StringComparison.Ordinal),
            await DetailAsync(mistyped));
        Assert.Equal(HttpStatusCode.NotFound, noTable.StatusCode);
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Preview_InjectionInColumnOrValue_IsRefusedOrBound(string engine)
    {
        await using var served = await RunAndServeAsync(engine);

        using var column = await PreviewAsync(served.Http, new { table = "profiles", conditions = new[] { new { column = "tier = 'gold' OR 1=1 --", op = "is not null", value = (string?)null } } });
        using var value = await PreviewAsync(served.Http, new { table = "profiles", conditions = new[] { new { column = "tier", op = "=", value = "gold'; DROP TABLE profiles; --" } } });
        using var op = await PreviewAsync(served.Http, new { table = "profiles", conditions = new[] { new { column = "tier", op = "= tier OR 1=1 OR tier =", value = "gold" } } });

        Assert.Equal(HttpStatusCode.BadRequest, column.StatusCode);
        Assert.StartsWith("condition 1 (tier = 'gold' OR 1=1 -- is not null): 'profiles' has no column", await DetailAsync(column), StringComparison.Ordinal);
        Assert.True(value.StatusCode == HttpStatusCode.OK, await value.Content.ReadAsStringAsync(Ct));
        var bound = (await value.Content.ReadFromJsonAsync<AudiencePreview>(ApiJson.Options, Ct))!;
        Assert.Equal((0L, 40L), (bound.Count, bound.Total));
        Assert.Equal(HttpStatusCode.BadRequest, op.StatusCode);
        Assert.StartsWith("condition 1 (tier = tier or 1=1 or tier = gold): unknown operator '= tier or 1=1 or tier ='.", await DetailAsync(op), StringComparison.Ordinal);
    }

    private static async Task<string?> DetailAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString();
}
