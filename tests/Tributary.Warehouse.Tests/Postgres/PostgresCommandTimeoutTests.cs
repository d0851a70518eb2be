using Npgsql;
using Tributary.Testing;
using Tributary.Warehouse.Postgres;

namespace Tributary.Warehouse.Tests.Postgres;

/// <summary>Warehouse statements run as long as they need unless the user's connection string sets a timeout.</summary>
public sealed class PostgresCommandTimeoutTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Host=db;Username=u")]
    [InlineData("Host=db;Username=u;Search Path=s")]
    public void WithWarehouseDefaults_NoTimeoutGiven_WaitsForever(string connectionString) =>
        Assert.Equal(0, new NpgsqlConnectionStringBuilder(PostgresWarehouse.WithWarehouseDefaults(connectionString)).CommandTimeout);

    [Theory]
    [InlineData("Host=db;Username=u;Command Timeout=7")]
    [InlineData("Host=db;Username=u;commandtimeout=7")]
    public void WithWarehouseDefaults_TimeoutGiven_KeepsIt(string connectionString) =>
        Assert.Equal(7, new NpgsqlConnectionStringBuilder(PostgresWarehouse.WithWarehouseDefaults(connectionString)).CommandTimeout);

    [Fact]
    public async Task Query_UsersTimeoutShorterThanTheStatement_IsBrokenOff()
    {
        await using var wh = await PostgresWarehouse.OpenAsync(await postgres.NewSchemaAsync() + ";Command Timeout=1", Ct);

        await Assert.ThrowsAnyAsync<Exception>(() => wh.ScalarAsync("SELECT pg_sleep(3)", null, Ct));
    }
}
