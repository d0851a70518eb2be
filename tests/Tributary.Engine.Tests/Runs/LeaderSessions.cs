using Npgsql;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Runs;

/// <summary>Drops the daemon leader's database session of a schema, as a network failure or a crashed host would.</summary>
internal static class LeaderSessions
{
    /// <summary>Ends the session holding <paramref name="connectionString"/>'s schema's leader lock and waits until it is gone.</summary>
    public static async Task TerminateAsync(PostgresCluster postgres, string connectionString, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(postgres.ConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = new NpgsqlCommand("""
            SELECT count(*) FILTER (WHERE pg_terminate_backend(l.pid, 10000)) FROM pg_locks l
            WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
              AND ((l.classid::bigint << 32) | l.objid::bigint) = hashtextextended(@schema || '/tributary-daemon-leader', 0)
            """, connection);
        command.Parameters.AddWithValue("schema", new NpgsqlConnectionStringBuilder(connectionString).SearchPath!);
        Assert.Equal(1L, await command.ExecuteScalarAsync(cancellationToken));
    }
}
