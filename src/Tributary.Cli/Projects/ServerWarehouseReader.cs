using System.Globalization;
using System.Text.Json;
using Tributary.Core.Warehousing;
using Tributary.Server.Contracts;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Cli.Projects;

/// <summary>Reads the warehouse through the project's running <c>trib serve</c> (<c>/api/assets</c>, <c>/api/query</c>).</summary>
internal sealed class ServerWarehouseReader(ServerConnection server) : IWarehouseReader
{
    private static readonly DuckDbDialect Dialect = new();

    public async Task<IReadOnlyList<string>> ListTablesAsync(CancellationToken cancellationToken) =>
        (await server.ListAssetsAsync(cancellationToken).ConfigureAwait(false)).Select(a => a.Name).ToList();

    public async Task<bool> ExistsAsync(string table, CancellationToken cancellationToken) =>
        (await ListTablesAsync(cancellationToken).ConfigureAwait(false)).Contains(table, StringComparer.OrdinalIgnoreCase);

    public async Task<QueryResult> QueryAsync(string sql, int? limit, CancellationToken cancellationToken)
    {
        // The terminal's SQL runs as it would on the warehouse itself, changes included (the console's default is read-only).
        var answer = await server.QueryAsync(new QuerySubmission(sql, limit, Write: true), cancellationToken).ConfigureAwait(false);
        // A cut result printed as if whole would be a silent loss (a CSV export missing rows).
        if (answer.TruncatedAt is { } cap)
            throw new CliException($"the result has more than {cap:N0} rows, the most the running trib serve returns in one answer; pass --limit, or stop trib serve to read the warehouse directly");
        if (answer.TruncatedAtBytes is { } bytes)
            throw new CliException($"the result is larger than {bytes / (1024 * 1024):N0} MB, the most the running trib serve returns in one answer (server: {{ query_max_mb }} in tributary.yaml); "
                + "pass --limit, select fewer columns, or stop trib serve to read the warehouse directly");
        var columns = answer.Columns.Select(c => new ColumnSchema(c.Name, c.Type.ToString().ToUpperInvariant(), c.Type)).ToList();
        return new QueryResult(new TableSchema(columns),
            answer.Rows.Select(r => r.Select((v, i) => Value(v, answer.Columns[i].Type)).ToArray()).ToList()) { RowsChanged = answer.RowsChanged };
    }

    // Both engines quote identifiers the same way.
    public string Quote(string identifier) => Dialect.Quote(identifier);

    public void Dispose() => server.Dispose();

    // JSON values back to what the warehouse gives locally, so that both print alike.
    internal static object? Value(object? value, DataKind kind)
    {
        if (value is not JsonElement e) return value;
        return e.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => null,
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            JsonValueKind.Number when kind == DataKind.Integer && e.TryGetInt64(out var l) => l,
            JsonValueKind.Number => e.GetDouble(),
            JsonValueKind.String when kind == DataKind.Timestamp && DateTime.TryParse(e.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var t) => t,
            JsonValueKind.String when kind == DataKind.Date && DateOnly.TryParse(e.GetString(), CultureInfo.InvariantCulture, out var d) => d,
            JsonValueKind.String => e.GetString(),
            _ => e.GetRawText(),
        };
    }
}
