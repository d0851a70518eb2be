using DuckDB.NET.Data;
using Tributary.Core.Warehousing;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Warehouse.Tests.DuckDb;

/// <summary>How the row feed's INSERT waits while a DuckDB worker thread reads the process's rows.</summary>
public sealed class DuckDbRowFeedTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public void Insert_RowsReadByAWorkerThread_CallerWaitsInItsOwnCodeNotInDuckDbsPolling()
    {
        // A worker that takes the scan blocks on the gate until the calling thread waits in the feed's hook; a caller
        // polling inside DuckDB (ExecuteNonQuery) never reaches the hook, so the worker gives up and the insert fails.
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        using (var setup = connection.CreateCommand())
        {
            setup.CommandText = "SET threads = 4; CREATE TABLE t (v BIGINT, w VARCHAR)";
            setup.ExecuteNonQuery();
        }
        var caller = Environment.CurrentManagedThreadId;
        var gate = new ManualResetEventSlim();
        var feed = DuckDbRowFeed.Register(connection, _ => gate.Set());
        IEnumerable<object?[]> Rows(int round)
        {
            if (Environment.CurrentManagedThreadId != caller && !gate.Wait(TimeSpan.FromSeconds(20), Ct))
                throw new TimeoutException("the calling thread never waited in the feed's hook");
            for (var i = 0; i < 5_000; i++) yield return [(long)(round * 5_000 + i), $"row {i}"];
        }

        for (var round = 0; round < 20; round++)
        {
            gate.Reset();
            feed.Insert(connection, "\"t\"", [("v", DataKind.Integer), ("w", DataKind.Text)], Rows(round), Ct);
        }

        using var count = connection.CreateCommand();
        count.CommandText = "SELECT count(DISTINCT v) FROM t";
        Assert.Equal(100_000L, Convert.ToInt64(count.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture));
        gate.Dispose();
    }

    [Fact]
    public void Insert_StatementDuckDbRejects_ThrowsADbExceptionWithDuckDbsMessage()
    {
        using var connection = new DuckDBConnection("DataSource=:memory:");
        connection.Open();
        var feed = DuckDbRowFeed.Register(connection);

        var error = Assert.ThrowsAny<System.Data.Common.DbException>(() =>
            feed.Insert(connection, "\"missing\"", [("v", DataKind.Integer)], [[1L]], Ct));

        Assert.Contains("missing", error.Message, StringComparison.Ordinal);
    }
}
