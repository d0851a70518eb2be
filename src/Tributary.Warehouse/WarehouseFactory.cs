using Tributary.Core.Warehousing;
using Tributary.Warehouse.DuckDb;
using Tributary.Warehouse.Postgres;

namespace Tributary.Warehouse;

/// <summary>Opens the warehouse a project's settings name.</summary>
public static class WarehouseFactory
{
    /// <summary>PostgreSQL when a connection string is given, else the DuckDB file at <paramref name="duckDbPath"/>.</summary>
    public static Task<IWarehouse> OpenAsync(string duckDbPath, string? postgresConnectionString, CancellationToken cancellationToken) =>
        OpenAsync(duckDbPath, postgresConnectionString, null, cancellationToken);

    /// <summary>
    /// As <see cref="OpenAsync(string, string?, CancellationToken)"/>; on DuckDB, SQL may touch files only in
    /// <paramref name="allowedDirectories"/> when given (PostgreSQL's own file functions need privileges a warehouse role should not have).
    /// </summary>
    public static Task<IWarehouse> OpenAsync(string duckDbPath, string? postgresConnectionString, IReadOnlyList<string>? allowedDirectories,
        CancellationToken cancellationToken) =>
        OpenAsync(duckDbPath, postgresConnectionString, allowedDirectories, DuckDbWarehouse.DefaultMemoryLimit, cancellationToken);

    /// <summary>
    /// As <see cref="OpenAsync(string, string?, IReadOnlyList{string}?, CancellationToken)"/>, with the DuckDB file bounded to
    /// <paramref name="duckDbMemoryLimit"/> (<c>warehouse.memory_limit</c>).
    /// </summary>
    public static async Task<IWarehouse> OpenAsync(string duckDbPath, string? postgresConnectionString, IReadOnlyList<string>? allowedDirectories,
        string duckDbMemoryLimit, CancellationToken cancellationToken) =>
        postgresConnectionString is { Length: > 0 }
            ? await PostgresWarehouse.OpenAsync(postgresConnectionString, cancellationToken).ConfigureAwait(false)
            : await DuckDbWarehouse.OpenAsync(duckDbPath, allowedDirectories, duckDbMemoryLimit, cancellationToken).ConfigureAwait(false);
}
