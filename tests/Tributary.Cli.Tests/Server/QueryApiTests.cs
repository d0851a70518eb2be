using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Tributary.Core.Warehousing;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary><c>POST /api/query</c>: read-only by default on both engines while <c>trib query</c> writes through it; a connection the database ended is the server's trouble (503), not the user's SQL (400).</summary>
public sealed class QueryApiTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _variable = "TRIB_TEST_QUERY_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();
    private string Project => Path.Combine(_temp.Path, "project");
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_variable, null);
        _temp.Dispose();
    }

    [Fact]
    public async Task Query_AfterTheDatabaseEndedThePooledConnections_IsA503ToSendAgain_AndBadSqlStaysA400()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var settings = Path.Combine(Project, "tributary.yaml");
        ProjectSettingsFile.UsePostgresWarehouse(settings, _variable);
        // Its own application name, so that only this server's connections are ended on the shared test cluster.
        var application = "trib-query-" + Guid.NewGuid().ToString("N")[..8];
        Environment.SetEnvironmentVariable(_variable, await postgres.NewSchemaAsync() + $";Application Name={application}");
        await using var served = await InProcessServer.StartAsync(Project, Ct, token: "t");
        served.Http.DefaultRequestHeaders.Add("Authorization", "Bearer t");
        Assert.Equal(HttpStatusCode.OK, (await QueryAsync(served.Http, "SELECT 1 AS n")).StatusCode);

        // What a PostgreSQL restart does to the connections the server's pool holds: each is ended with 57P01.
        await using (var admin = new NpgsqlConnection(postgres.ConnectionString))
        {
            await admin.OpenAsync(Ct);
            await using var terminate = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = $1", admin) { Parameters = { new() { Value = application } } };
            Assert.True((long)(await terminate.ExecuteScalarAsync(Ct))! >= 1);
        }
        await Task.Delay(300, Ct);
        using var after = await QueryAsync(served.Http, "SELECT 1 AS n");

        var text = await after.Content.ReadAsStringAsync(Ct);
        Assert.True(after.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)after.StatusCode}: {text}");
        Assert.StartsWith("the warehouse connection failed, not the query: 57P01: terminating connection due to administrator command",
            JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal("1", after.Headers.RetryAfter?.ToString());
        // Sent again, it is answered: the pool gave up the ended connections.
        using var again = await QueryAsync(served.Http, "SELECT 1 AS n");
        Assert.True(again.StatusCode == HttpStatusCode.OK, await again.Content.ReadAsStringAsync(Ct));
        using var bad = await QueryAsync(served.Http, "SELEC 1");
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.StartsWith("query failed: 42601: syntax error", (await bad.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    // DuckDB.NET names a decimal without its precision and scale; the answer gives them, as the engine spells the type.
    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Query_DecimalColumns_NameTheirPrecisionAndScale(string engine)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        if (engine == "postgres")
        {
            var settings = Path.Combine(Project, "tributary.yaml");
            ProjectSettingsFile.UsePostgresWarehouse(settings, _variable);
            Environment.SetEnvironmentVariable(_variable, await postgres.NewSchemaAsync());
        }
        Assert.Equal(0, (await Trib.RunAsync("query", "CREATE TABLE t (amount DECIMAL(18,2), rate DECIMAL(5,4), n INTEGER)", "--project", Project)).ExitCode);
        Assert.Equal(0, (await Trib.RunAsync("query", "INSERT INTO t VALUES (12.50, 0.1250, 1)", "--project", Project)).ExitCode);
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        served.SendWriteSecret();

        using var read = await QueryAsync(served.Http, "SELECT amount, rate, n, CAST(amount AS DECIMAL(10,3)) AS wider FROM t");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var answer = (await read.Content.ReadFromJsonAsync<QueryAnswer>(ApiJson.Options, Ct))!;
        Assert.Equal(engine == "duckdb" ? ["DECIMAL(18,2)", "DECIMAL(5,4)", "INTEGER", "DECIMAL(10,3)"] : ["numeric(18,2)", "numeric(5,4)", "integer", "numeric(10,3)"],
            answer.Columns.Select(c => c.SqlType));
        Assert.All(answer.Columns.Take(2), c => Assert.Equal(DataKind.Number, c.Type));
    }

    // The Explore page shows the engine's type of each column, and where the SQL went wrong: DuckDB's message has the line and a
    // caret, PostgreSQL gives the character apart.
    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Query_AnswersTheEnginesColumnTypes_AndAFailureSaysWhereInTheSql(string engine)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        if (engine == "postgres")
        {
            var settings = Path.Combine(Project, "tributary.yaml");
            ProjectSettingsFile.UsePostgresWarehouse(settings, _variable);
            Environment.SetEnvironmentVariable(_variable, await postgres.NewSchemaAsync());
        }
        Assert.Equal(0, (await Trib.RunAsync("query", "CREATE TABLE t AS SELECT 1 AS v, 'a' AS s", "--project", Project)).ExitCode);
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        served.SendWriteSecret();

        using var read = await QueryAsync(served.Http, "SELECT v, s FROM t");
        using var failed = await QueryAsync(served.Http, "SELECT v,\n  nme FROM t");

        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        var columns = (await read.Content.ReadFromJsonAsync<QueryAnswer>(ApiJson.Options, Ct))!.Columns;
        Assert.Equal(engine == "duckdb" ? ["INTEGER", "VARCHAR"] : ["integer", "text"], columns.Select(c => c.SqlType));
        Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        var problem = await failed.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var detail = problem.GetProperty("detail").GetString()!;
        if (engine == "duckdb")
        {
            Assert.StartsWith("query failed: Binder Error: Referenced column \"nme\" not found in FROM clause!", detail, StringComparison.Ordinal);
            Assert.Contains("LINE 2:   nme FROM t", detail, StringComparison.Ordinal);
            Assert.False(problem.TryGetProperty("position", out _));
        }
        else
        {
            Assert.Equal("query failed: 42703: column \"nme\" does not exist", detail.Split('\n')[0]);
            Assert.Equal(13, problem.GetProperty("position").GetInt32());
        }
    }

    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Query_ByDefault_RunsReadOnlyStatementsOnly_WhileTribQueryAtTheTerminalChangesData(string engine)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        if (engine == "postgres")
        {
            var settings = Path.Combine(Project, "tributary.yaml");
            ProjectSettingsFile.UsePostgresWarehouse(settings, _variable);
            Environment.SetEnvironmentVariable(_variable, await postgres.NewSchemaAsync());
        }
        Assert.Equal(0, (await Trib.RunAsync("query", "CREATE TABLE t AS SELECT 1 AS v UNION ALL SELECT 2", "--project", Project)).ExitCode);
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        served.SendWriteSecret();
        served.Announce();
        string[] changes = engine == "duckdb"
            ? ["DELETE FROM t", "DROP TABLE t", "CREATE TABLE u (a INTEGER)", "ATTACH ':memory:' AS m", $"COPY t TO '{Path.Combine(Project, "t.csv")}'", "INSTALL json", "LOAD json", "SET threads = 1"]
            : ["DELETE FROM t", "DROP TABLE t", "CREATE TABLE u (a INTEGER)", "CREATE TABLE u AS SELECT * FROM t"];

        var refusals = new List<string>();
        foreach (var sql in changes)
        {
            using var refused = await QueryAsync(served.Http, sql);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{sql}: {(int)refused.StatusCode}");
            refusals.Add((await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!);
        }
        using var read = await QueryAsync(served.Http, "SELECT v FROM t ORDER BY v");
        var terminal = await Trib.RunAsync("query", "WITH d AS (SELECT 1 AS v) DELETE FROM t WHERE v IN (SELECT v FROM d)", "--project", Project, "--format", "csv");

        Assert.Equal("the query console runs read-only statements; use `trib query` at the terminal to change data "
            + (engine == "duckdb" ? "(it is a DELETE statement)." : "(25006: cannot execute DELETE in a read-only transaction)."), refusals[0]);
        Assert.All(refusals, r => Assert.StartsWith("the query console runs read-only statements; use `trib query` at the terminal to change data (", r, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(2, (await read.Content.ReadFromJsonAsync<QueryAnswer>(ApiJson.Options, Ct))!.Rows.Count);
        Assert.False(File.Exists(Path.Combine(Project, "t.csv")));
        Assert.True(terminal.ExitCode == 0, terminal.Error);
        Assert.Equal("rows_changed\n1\n", terminal.Out.ReplaceLineEndings("\n"));
        using var after = await QueryAsync(served.Http, "SELECT count(*) AS n FROM t");
        Assert.Equal(1, (await after.Content.ReadFromJsonAsync<QueryAnswer>(ApiJson.Options, Ct))!.Rows[0][0] is JsonElement n ? n.GetInt32() : -1);
    }

    // 100,000 rows of wide text made a 200 MB answer: the rows are capped by their JSON's size too, and the answer says so.
    [Theory]
    [InlineData("duckdb")]
    [InlineData("postgres")]
    public async Task Query_RowsLargerThanQueryMaxMb_AreCutAtTheCapAndTheAnswerSaysSo_AndTribQueryRefusesToPrintPartOfThem(string engine)
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var settings = Path.Combine(Project, "tributary.yaml");
        File.WriteAllText(settings, File.ReadAllText(settings).Replace("query_max_mb: 32", "query_max_mb: 1", StringComparison.Ordinal));
        if (engine == "postgres")
        {
            ProjectSettingsFile.UsePostgresWarehouse(settings, _variable);
            Environment.SetEnvironmentVariable(_variable, await postgres.NewSchemaAsync());
        }
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        served.SendWriteSecret();
        served.Announce();
        var rows = engine == "duckdb" ? "range(3000)" : "generate_series(1, 3000)";

        using var wide = await QueryAsync(served.Http, $"SELECT repeat('x', 1000) AS s FROM {rows}");
        using var narrow = await QueryAsync(served.Http, $"SELECT 1 AS n FROM {rows}");
        var terminal = await Trib.RunAsync("query", $"SELECT repeat('x', 1000) AS s FROM {rows}", "--project", Project, "--format", "csv");

        var answer = (await wide.Content.ReadFromJsonAsync<QueryAnswer>(ApiJson.Options, Ct))!;
        Assert.Equal(1024 * 1024, answer.TruncatedAtBytes);
        // Each row is ["x...x"] and a comma: 1,005 bytes, so 1,043 of them fit in 1 MB.
        Assert.Equal(1043, answer.Rows.Count);
        Assert.Null(answer.TruncatedAt);
        Assert.Null((await narrow.Content.ReadFromJsonAsync<QueryAnswer>(ApiJson.Options, Ct))!.TruncatedAtBytes);
        Assert.Equal(1, terminal.ExitCode);
        Assert.Contains("the result is larger than 1 MB, the most the running trib serve returns in one answer (server: { query_max_mb } in tributary.yaml); "
            + "pass --limit, select fewer columns, or stop trib serve to read the warehouse directly", terminal.Error, StringComparison.Ordinal);
    }

    // A security review rewrote tributary.yaml through the API with COPY ... TO (allowed_paths: [/] after a restart): a change
    // through the server reaches tables, never files, extensions or settings, even when it asks to write.
    [Fact]
    public async Task Query_AskingToWrite_ChangesTablesButNeverFilesExtensionsOrSettings()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        var settings = Path.Combine(Project, "tributary.yaml");
        var before = File.ReadAllText(settings);
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        served.SendWriteSecret();

        var refusals = new List<string>();
        foreach (var sql in new[] { $"COPY (SELECT 'allowed_paths: [/]' AS c) TO '{settings}' (HEADER false)", "EXPORT DATABASE 'dump'", "ATTACH ':memory:' AS m", "INSTALL json", "SET threads = 1", $"EXPLAIN ANALYZE COPY (SELECT 1) TO '{settings}'" })
        {
            using var refused = await served.Http.PostAsJsonAsync("/api/query", new QuerySubmission(sql, Write: true), ApiJson.Options, Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.BadRequest, $"{sql}: {(int)refused.StatusCode}");
            refusals.Add((await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!);
        }
        using var created = await served.Http.PostAsJsonAsync("/api/query", new QuerySubmission("CREATE TABLE t AS SELECT 1 AS v", Write: true), ApiJson.Options, Ct);

        Assert.Equal(before, File.ReadAllText(settings));
        Assert.False(Directory.Exists(Path.Combine(Project, "dump")));
        Assert.StartsWith("through the server, SQL may change tables but not files, extensions or settings; stop trib serve and run it with `trib query` to do that (it is a COPY statement", refusals[0], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, created.StatusCode);
    }

    // The console's DuckDB is limited to the project's folders like every warehouse the project opens (allowed_directories, locked).
    [Fact]
    public async Task Query_DuckDbFileFunctionsOutsideTheProject_AreRefused()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "data.csv"), "a\n1\n");
        await using var served = await InProcessServer.StartAsync(Project, Ct);
        served.SendWriteSecret();

        var outside = new List<string>();
        foreach (var sql in new[] { "SELECT * FROM read_csv('/etc/passwd')", "SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM glob('/etc/*')", "SELECT * FROM read_text('../../etc/passwd')" })
        {
            using var answer = await QueryAsync(served.Http, sql);
            Assert.True(answer.StatusCode == HttpStatusCode.BadRequest, $"{sql}: {(int)answer.StatusCode}");
            outside.Add((await answer.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString()!);
        }
        using var inside = await QueryAsync(served.Http, $"SELECT a FROM read_csv('{Path.Combine(Project, "data.csv")}')");

        Assert.All(outside, d => Assert.StartsWith("query failed: Permission Error: Cannot access ", d, StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, inside.StatusCode);
    }

    private static Task<HttpResponseMessage> QueryAsync(HttpClient http, string sql) =>
        http.PostAsJsonAsync("/api/query", new QuerySubmission(sql), ApiJson.Options, Ct);
}
