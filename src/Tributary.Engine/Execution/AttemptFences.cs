using Tributary.Core.Warehousing;

namespace Tributary.Engine.Execution;

/// <summary>Raises the warehouse fences of the partitions an attempt is about to write (see <see cref="WriteFence"/>).</summary>
public static class AttemptFences
{
    /// <summary>
    /// Moves the fence of each of <paramref name="tables"/> at <paramref name="partition"/> up to <paramref name="epoch"/>, so
    /// that from now on only this attempt, or a newer one, can commit there.
    /// </summary>
    public static async Task RaiseAsync(IWarehouse warehouse, IEnumerable<string> tables, string partition, long epoch, CancellationToken cancellationToken)
    {
        var d = warehouse.Dialect;
        foreach (var (sql, table) in WriteFence.CreateSql(d).Zip([WriteFence.FenceTable, WriteFence.CommitTable]))
        {
            try
            {
                await warehouse.ExecuteAsync(sql, null, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception) when (!cancellationToken.IsCancellationRequested)
            {
                // Workers creating the table at once: PostgreSQL refuses all but one even with IF NOT EXISTS. It exists now.
                if (await warehouse.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false) is null) throw;
            }
        }
        foreach (var table in tables)
        {
            if (await warehouse.ExecuteAsync(WriteFence.RaiseSql(d), [table, partition, epoch], cancellationToken).ConfigureAwait(false) == 0)
                await warehouse.ExecuteAsync(WriteFence.InsertSql(d), [table, partition, epoch], cancellationToken).ConfigureAwait(false);
        }
    }
}
