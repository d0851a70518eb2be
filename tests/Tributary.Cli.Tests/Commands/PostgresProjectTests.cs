using System.Text.Json;
using Tributary.Testing;

[assembly: AssemblyFixture(typeof(PostgresCluster))]

namespace Tributary.Cli.Tests.Commands;

/// <summary>A project whose tributary.yaml points the warehouse at PostgreSQL through an environment variable.</summary>
public sealed class PostgresProjectTests(PostgresCluster postgres) : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly string _env = "TRIB_TEST_PG_" + Guid.NewGuid().ToString("N")[..8].ToUpperInvariant();

    public void Dispose()
    {
        Environment.SetEnvironmentVariable(_env, null);
        _temp.Dispose();
    }

    [Fact]
    public async Task Run_OnPostgresWarehouse_WritesTablesThere()
    {
        var project = Path.Combine(_temp.Path, "pg");
        Assert.Equal(0, (await Trib.RunAsync("init", project)).ExitCode);
        var settings = Path.Combine(project, "tributary.yaml");
        ProjectSettingsFile.UsePostgresWarehouse(settings, _env);

        var missing = await Trib.RunAsync("show", "x", "--project", project);
        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"error: tributary.yaml names warehouse.postgres_env '{_env}', but that environment variable is not set.", missing.Error.Trim());

        Environment.SetEnvironmentVariable(_env, await postgres.NewSchemaAsync());
        Components.Samples.QuickstartStore.Write(Path.Combine(project, "data"), customers: 30);
        Assert.Equal(0, (await Trib.RunAsync("templates", "add", "quickstart", "--project", project)).ExitCode);
        var run = await Trib.RunAsync("run", "quickstart", "--project", project);
        Assert.True(run.ExitCode == 0, run.Error);

        var query = await Trib.RunAsync("query", "SELECT count(*) AS n FROM customer_value", "--project", project, "--format", "json");
        Assert.Equal(30, JsonDocument.Parse(query.Out).RootElement[0].GetProperty("n").GetInt64());
        // Npgsql reads a midnight timestamp as a DateTime like any other: it prints as a timestamp, not a date.
        var midnight = await Trib.RunAsync("query", "SELECT CAST('2025-03-04 00:00:00' AS TIMESTAMP) AS t", "--project", project, "--format", "csv");
        Assert.Equal(["t", "2025-03-04 00:00:00"], midnight.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.False(File.Exists(Path.Combine(project, ".tributary", "warehouse.duckdb")));
    }

    // docs/security.md says not to connect as a superuser, and nothing said when a project did.
    [Fact]
    public async Task Query_AsASuperuser_WarnsOnceAtConnect_AndAsAnOrdinaryRoleDoesNot()
    {
        var project = Path.Combine(_temp.Path, "su");
        Assert.Equal(0, (await Trib.RunAsync("init", project)).ExitCode);
        var settings = Path.Combine(project, "tributary.yaml");
        ProjectSettingsFile.UsePostgresWarehouse(settings, _env);
        var superuser = await postgres.NewSchemaAsync();
        Environment.SetEnvironmentVariable(_env, superuser);

        var asSuperuser = await Trib.RunAsync("query", "SELECT 1 AS n", "--project", project, "--format", "csv");

        // The test cluster's own role, tributary, is its bootstrap superuser.
        Assert.True(asSuperuser.ExitCode == 0, asSuperuser.Error);
        Assert.Equal(["warning: the PostgreSQL warehouse is connected as 'tributary', a superuser: any SQL in a pipeline (COPY ... TO PROGRAM, pg_read_file) can reach "
            + "the database server's files and run programs on it. Connect as a role that owns only the warehouse's schema (docs/security.md)."], asSuperuser.ErrorLines);

        var role = "r_" + Guid.NewGuid().ToString("N")[..10];
        var schema = superuser.Split("Search Path=")[1];
        await using (var admin = new Npgsql.NpgsqlConnection(superuser))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new Npgsql.NpgsqlCommand($"CREATE ROLE \"{role}\" LOGIN; GRANT ALL ON SCHEMA \"{schema}\" TO \"{role}\"", admin);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        Environment.SetEnvironmentVariable(_env, superuser.Replace("Username=tributary", $"Username={role}", StringComparison.Ordinal));
        var asRole = await Trib.RunAsync("query", "SELECT 1 AS n", "--project", project, "--format", "csv");

        Assert.True(asRole.ExitCode == 0, asRole.Error);
        Assert.Empty(asRole.Error);
    }

    // An ordinary role on PostgreSQL 15 may not create in public, and a Search Path naming a missing schema leaves none: every run
    // failed at its first step with "42501: permission denied for schema public" or "3F000: no schema has been selected to create in".
    [Fact]
    public async Task Open_RoleWithoutAUsableSchema_SaysSoAndHowToCreateOne()
    {
        var project = Path.Combine(_temp.Path, "role");
        Assert.Equal(0, (await Trib.RunAsync("init", project)).ExitCode);
        var settings = Path.Combine(project, "tributary.yaml");
        ProjectSettingsFile.UsePostgresWarehouse(settings, _env);
        var superuser = await postgres.NewSchemaAsync();
        var schema = superuser.Split("Search Path=")[1];
        var role = "r_" + Guid.NewGuid().ToString("N")[..10];
        await using (var admin = new Npgsql.NpgsqlConnection(superuser))
        {
            await admin.OpenAsync(TestContext.Current.CancellationToken);
            await using var create = new Npgsql.NpgsqlCommand($"CREATE ROLE \"{role}\" LOGIN; GRANT USAGE ON SCHEMA \"{schema}\" TO \"{role}\"", admin);
            await create.ExecuteNonQueryAsync(TestContext.Current.CancellationToken);
        }
        var asRole = superuser.Replace("Username=tributary", $"Username={role}", StringComparison.Ordinal);

        Environment.SetEnvironmentVariable(_env, asRole.Replace($"Search Path={schema}", "Search Path=missing_schema", StringComparison.Ordinal));
        var missing = await Trib.RunAsync("query", "SELECT 1 AS n", "--project", project, "--format", "csv");
        Environment.SetEnvironmentVariable(_env, asRole);
        var readOnly = await Trib.RunAsync("query", "SELECT 1 AS n", "--project", project, "--format", "csv");

        Assert.Equal(1, missing.ExitCode);
        Assert.Equal($"error: the PostgreSQL warehouse has no schema to work in: its search path (missing_schema) names none that exists and that role '{role}' may use. "
            + $"Create one the role owns (CREATE SCHEMA tributary AUTHORIZATION \"{role}\") and name it in the connection string (Search Path=tributary). "
            + $"(warehouse.postgres_env '{_env}' in tributary.yaml)", missing.Error.Trim());
        Assert.True(readOnly.ExitCode == 0, readOnly.Error);
        Assert.Equal([$"warning: role '{role}' may not create tables in schema '{schema}' of the PostgreSQL warehouse, so a run fails at its first step "
            + $"(from PostgreSQL 15 only the database owner may create in public). Create a schema the role owns (CREATE SCHEMA tributary AUTHORIZATION \"{role}\") "
            + "and name it in the connection string (Search Path=tributary)."], readOnly.ErrorLines);
    }

    [Fact]
    public async Task Run_PostgresUnreachable_SaysWhichSettingAndWhatToCheck()
    {
        var project = Path.Combine(_temp.Path, "down");
        Assert.Equal(0, (await Trib.RunAsync("init", project)).ExitCode);
        var settings = Path.Combine(project, "tributary.yaml");
        ProjectSettingsFile.UsePostgresWarehouse(settings, _env);
        Environment.SetEnvironmentVariable(_env, "Host=127.0.0.1;Port=1;Username=x;Timeout=2");

        var show = await Trib.RunAsync("show", "x", "--project", project);

        Assert.Equal(1, show.ExitCode);
        Assert.StartsWith($"error: cannot open the PostgreSQL warehouse named by warehouse.postgres_env '{_env}' in tributary.yaml: ", show.Error, StringComparison.Ordinal);
        Assert.EndsWith(". Check the connection string in that variable and that the server is running.", show.Error.Trim(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_UnknownKey_IsReportedWithItsPosition()
    {
        var project = Path.Combine(_temp.Path, "bad");
        Assert.Equal(0, (await Trib.RunAsync("init", project)).ExitCode);
        File.AppendAllText(Path.Combine(project, "tributary.yaml"), "paralelism: 2\n");
        // The key's line is the file's last, however many lines trib init writes.
        var line = File.ReadAllLines(Path.Combine(project, "tributary.yaml")).Length;

        var list = await Trib.RunAsync("list", "--project", project);

        Assert.Equal(1, list.ExitCode);
        Assert.Contains($"tributary.yaml:{line}:1: error TRIB0100: unknown key 'paralelism' in tributary.yaml. Did you mean 'parallelism'?", list.Error, StringComparison.Ordinal);
    }
}
