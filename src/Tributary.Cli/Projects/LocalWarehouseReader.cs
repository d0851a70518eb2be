using System.Data.Common;
using Tributary.Core.Warehousing;

namespace Tributary.Cli.Projects;

/// <summary>Reads the warehouse this process opened (the project session owns and disposes it).</summary>
internal sealed class LocalWarehouseReader(IWarehouse warehouse) : IWarehouseReader
{
    public Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken) => warehouse.ListTablesAsync(cancellationToken);

    public async Task<bool> ExistsAsync(string table, CancellationToken cancellationToken) =>
        await warehouse.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false) is not null;

    public async Task<QueryResult> QueryAsync(string sql, int? limit, CancellationToken cancellationToken)
    {
        try
        {
            return await warehouse.QueryAsync(sql, null, limit ?? int.MaxValue, cancellationToken).ConfigureAwait(false);
        }
        catch (DbException e)
        {
            throw new CliException($"query failed: {e.Message}");
        }
    }

    public string Quote(string identifier) => warehouse.Dialect.Quote(identifier);

    public void Dispose()
    {
        // The project session owns the warehouse.
    }
}
