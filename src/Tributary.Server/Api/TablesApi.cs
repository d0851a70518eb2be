using System.Globalization;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using Tributary.Core.Warehousing;
using Tributary.Server.Contracts;
using Tributary.Warehouse;

namespace Tributary.Server.Api;

/// <summary>
/// <c>GET /api/tables</c>: the warehouse's tables and views in every schema but the engine's own, with their columns and row
/// counts, read from its information_schema (both engines have it). Identifiers come from that catalog, never from the request.
/// </summary>
internal static class TablesApi
{
    /// <summary>How long counting every table's rows may take; past it the counts are left out (PostgreSQL scans a table to count it).</summary>
    public static readonly TimeSpan CountTimeout = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Past this many rows by PostgreSQL's planner estimate, a table's rows are that estimate, not a count: counting scans the
    /// table, and a billion rows take longer than <see cref="CountTimeout"/>. DuckDB always counts: it answers count(*) from its row
    /// groups' sizes, or scans one column once rows were deleted (20M rows, 2M deleted: 0.1–0.35 s), and its estimated_size still
    /// includes deleted rows (20M for 18M).
    /// </summary>
    public const long EstimateAbove = 1_000_000;

    // Counts per statement: PostgreSQL takes at most 1,664 columns in a select list.
    private const int CountsPerStatement = 500;

    public static void Map(RouteGroupBuilder group, TributaryProject project) =>
        group.MapGet("/tables", async Task<Ok<WarehouseCatalogView>> (CancellationToken ct) =>
            TypedResults.Ok(await ReadAsync(project.Warehouse, EstimateAbove, ct).ConfigureAwait(false))).WithTags("Assets");

    /// <summary>The catalog as <c>GET /api/tables</c> answers it, PostgreSQL tables estimated above <paramref name="estimateAbove"/> rows given as their estimate.</summary>
    public static async Task<WarehouseCatalogView> ReadAsync(IWarehouse warehouse, long estimateAbove, CancellationToken cancellationToken)
    {
        var d = warehouse.Dialect;
        var current = Convert.ToString(await warehouse.ScalarAsync($"SELECT {d.CurrentSchema}", null, cancellationToken).ConfigureAwait(false), CultureInfo.InvariantCulture) ?? "";
        // current_database(): DuckDB lists the tables of every attached database and of temp too; PostgreSQL only its own.
        var columns = await warehouse.QueryAsync(
            "SELECT t.table_schema, t.table_name, t.table_type, c.column_name, c.data_type, c.numeric_precision, c.numeric_scale FROM information_schema.tables t "
            + "JOIN information_schema.columns c ON c.table_catalog = t.table_catalog AND c.table_schema = t.table_schema AND c.table_name = t.table_name "
            + $"WHERE t.table_catalog = current_database() AND t.table_schema NOT IN ({d.Parameter(1)}, {d.Parameter(2)}) AND t.table_type IN ({d.Parameter(3)}, {d.Parameter(4)}) "
            + "ORDER BY t.table_schema, t.table_name, c.ordinal_position",
            ["information_schema", "pg_catalog", "BASE TABLE", "VIEW"], int.MaxValue, cancellationToken).ConfigureAwait(false);
        var tables = columns.Rows
            .Select(r => (Schema: Text(r[0]), Name: Text(r[1]), IsView: Text(r[2]) == "VIEW", Column: Column(d, Text(r[3]), Text(r[4]), r[5], r[6])))
            .Where(r => !Hidden(r.Schema, r.Name))
            .GroupBy(r => (r.Schema, r.Name, r.IsView))
            .Select(g => (g.Key.Schema, g.Key.Name, g.Key.IsView, Columns: (IReadOnlyList<WarehouseColumnView>)[.. g.Select(r => r.Column)]))
            .ToList();
        var estimates = await EstimateAsync(warehouse, estimateAbove, cancellationToken).ConfigureAwait(false);
        var counts = await CountAsync(warehouse, [.. tables.Where(t => !t.IsView && !estimates.ContainsKey((t.Schema, t.Name))).Select(t => (t.Schema, t.Name))], cancellationToken).ConfigureAwait(false);
        return new WarehouseCatalogView(d.Name, current, [.. tables.Select(t =>
            t.IsView ? new WarehouseTableView(t.Schema, t.Name, true, null, false, t.Columns)
            : estimates.TryGetValue((t.Schema, t.Name), out var estimate) ? new WarehouseTableView(t.Schema, t.Name, false, estimate, true, t.Columns)
            : new WarehouseTableView(t.Schema, t.Name, false, counts.TryGetValue((t.Schema, t.Name), out var n) ? n : null, false, t.Columns))]);
    }

    // information_schema's data_type of a PostgreSQL numeric leaves out its precision and scale, which say what it holds.
    private static WarehouseColumnView Column(ISqlDialect dialect, string name, string dataType, object? precision, object? scale)
    {
        var type = dataType.Equals("numeric", StringComparison.OrdinalIgnoreCase) && precision is not null && scale is not null
            ? string.Create(CultureInfo.InvariantCulture, $"{dataType}({Convert.ToInt32(precision, CultureInfo.InvariantCulture)},{Convert.ToInt32(scale, CultureInfo.InvariantCulture)})")
            : dataType;
        return new WarehouseColumnView(name, type, dialect.KindOf(type));
    }

    // PostgreSQL's planner estimate of the tables it guesses above estimateAbove rows. A table never analyzed has none
    // (reltuples -1, relpages 0): like the planner, it is guessed from its file's pages and a row width from its columns.
    private static async Task<Dictionary<(string, string), long>> EstimateAsync(IWarehouse warehouse, long estimateAbove, CancellationToken cancellationToken)
    {
        var estimates = new Dictionary<(string, string), long>();
        if (warehouse.Dialect.Name != "postgres") return estimates;
        var d = warehouse.Dialect;
        var result = await warehouse.QueryAsync(
            "SELECT n.nspname, c.relname, c.reltuples, CASE WHEN c.reltuples < 0 THEN pg_catalog.pg_relation_size(c.oid) END, "
            + "(SELECT sum(CASE WHEN a.attlen > 0 THEN a.attlen ELSE 32 END) FROM pg_catalog.pg_attribute a WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped), "
            + "pg_catalog.current_setting('block_size') "
            + "FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace "
            + $"WHERE c.relkind IN ({d.Parameter(1)}, {d.Parameter(2)}) AND (c.reltuples > {d.Parameter(3)} OR c.reltuples < 0)",
            ["r", "p", (double)estimateAbove], int.MaxValue, cancellationToken).ConfigureAwait(false);
        foreach (var row in result.Rows)
        {
            var tuples = Convert.ToDouble(row[2], CultureInfo.InvariantCulture);
            var estimate = tuples >= 0 ? tuples
                : FromSize(Convert.ToInt64(row[3] ?? 0L, CultureInfo.InvariantCulture), Convert.ToInt64(row[4] ?? 0L, CultureInfo.InvariantCulture),
                    long.Parse(Text(row[5]), CultureInfo.InvariantCulture));
            if (estimate > estimateAbove) estimates[(Text(row[0]), Text(row[1]))] = (long)Math.Round(estimate);
        }
        return estimates;
    }

    /// <summary>
    /// Rows of a never-analyzed heap of <paramref name="bytes"/> whose columns are <paramref name="width"/> bytes (a variable-length
    /// column taken as 32, PostgreSQL's own guess): full pages of rows each a 24-byte header and the data, aligned to 8, and a
    /// 4-byte line pointer, in what a page leaves after its 24-byte header (PostgreSQL's estimate_rel_size, storage/bufpage.h).
    /// </summary>
    internal static double FromSize(long bytes, long width, long blockSize)
    {
        var tuple = (24 + width + 7) / 8 * 8 + 4;
        return (double)(bytes / blockSize) * ((blockSize - 24) / tuple);
    }

    // Staging tables of a write under way and the engine's bookkeeping (PostgreSQL's pg_toast, pg_temp_N) are no one's data.
    private static bool Hidden(string schema, string table) =>
        schema.StartsWith("pg_", StringComparison.Ordinal)
        || table.StartsWith(SqlWarehouse.StagingPrefix, StringComparison.Ordinal) || table.StartsWith(WriteFence.TablePrefix, StringComparison.Ordinal);

    private static string Text(object? value) => Convert.ToString(value, CultureInfo.InvariantCulture) ?? "";

    // Exact counts, read-only and each statement stopped at CountTimeout: one row of scalar subqueries for many tables at once;
    // when that fails (a table dropped since it was listed, one the role may not read), table by table, so only that one has none.
    private static async Task<Dictionary<(string, string), long>> CountAsync(IWarehouse warehouse, IReadOnlyList<(string Schema, string Name)> tables, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<(string, string), long>();
        foreach (var chunk in tables.Chunk(CountsPerStatement))
        {
            var (result, timedOut) = await TryCountAsync(warehouse, chunk, cancellationToken).ConfigureAwait(false);
            if (timedOut) return counts;
            if (result is not null)
            {
                for (var i = 0; i < chunk.Length; i++) counts[chunk[i]] = Convert.ToInt64(result.Rows[0][i], CultureInfo.InvariantCulture);
                continue;
            }
            foreach (var table in chunk)
            {
                (result, timedOut) = await TryCountAsync(warehouse, [table], cancellationToken).ConfigureAwait(false);
                if (timedOut) return counts;
                if (result is not null) counts[table] = Convert.ToInt64(result.Rows[0][0], CultureInfo.InvariantCulture);
            }
        }
        return counts;
    }

    private static async Task<(QueryResult? Result, bool TimedOut)> TryCountAsync(IWarehouse warehouse, (string Schema, string Name)[] tables, CancellationToken cancellationToken)
    {
        var d = warehouse.Dialect;
        var sql = new StringBuilder("SELECT ");
        for (var i = 0; i < tables.Length; i++)
            sql.Append(i == 0 ? "" : ", ").Append(CultureInfo.InvariantCulture, $"(SELECT count(*) FROM {d.Quote(tables[i].Schema)}.{d.Quote(tables[i].Name)}) AS {d.Quote($"n{i}")}");
        try
        {
            return (await warehouse.QueryReadOnlyAsync(sql.ToString(), 1, CountTimeout, cancellationToken).ConfigureAwait(false), false);
        }
        catch (TimeoutException)
        {
            return (null, true);
        }
        catch (System.Data.Common.DbException e) when (!warehouse.IsConnectionFailure(e))
        {
            return (null, false);
        }
    }
}
