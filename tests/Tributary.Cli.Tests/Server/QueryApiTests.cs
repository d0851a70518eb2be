using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Npgsql;
using Tributary.Server.Contracts;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary><c>POST /api/query</c> on a PostgreSQL warehouse: a connection the database ended is the server's trouble (503), not the user's SQL (400).</summary>
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
        File.WriteAllText(settings, File.ReadAllText(settings).Replace("# postgres_env: TRIBUTARY_POSTGRES", $"postgres_env: {_variable}", StringComparison.Ordinal));
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

    private static Task<HttpResponseMessage> QueryAsync(HttpClient http, string sql) =>
        http.PostAsJsonAsync("/api/query", new QuerySubmission(sql), ApiJson.Options, Ct);
}
