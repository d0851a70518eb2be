using Tributary.Core.Warehousing;
using Tributary.Warehouse.DuckDb;
using Tributary.Warehouse.Postgres;

namespace Tributary.Warehouse;

/// <summary>Opens the warehouse a project's settings name.</summary>
public static class WarehouseFactory
{
    /// <summary>PostgreSQL when a connection string is given, else the DuckDB file at <paramref name="duckDbPath"/>.</summary>
    public static async Task<IWarehouse> OpenAsync(string duckDbPath, string? postgresConnectionString, CancellationToken cancellationToken) =>
        postgresConnectionString is { Length: > 0 }
            ? await PostgresWarehouse.OpenAsync(postgresConnectionString, cancellationToken).ConfigureAwait(false)
            : await DuckDbWarehouse.OpenAsync(duckDbPath, cancellationToken).ConfigureAwait(false);
}
