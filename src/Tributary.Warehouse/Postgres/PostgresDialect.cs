using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.Postgres;

/// <summary>PostgreSQL's spelling of the SQL that differs between engines.</summary>
public sealed class PostgresDialect : StandardSqlDialect
{
    /// <inheritdoc />
    public override string Name => "postgres";

    /// <inheritdoc />
    /// <remarks>With a backslash, an E'' string with backslashes doubled: exact whatever standard_conforming_strings says.</remarks>
    public override string Literal(string text) =>
        text.Contains('\\', StringComparison.Ordinal) ? "E" + SqlTypes.Literal(text.Replace("\\", "\\\\", StringComparison.Ordinal)) : SqlTypes.Literal(text);

    /// <inheritdoc />
    public override string TypeName(DataKind kind) => kind switch
    {
        DataKind.Integer => "BIGINT",
        DataKind.Number => "DOUBLE PRECISION",
        DataKind.Boolean => "BOOLEAN",
        DataKind.Date => "DATE",
        DataKind.Timestamp => "TIMESTAMP",
        _ => "TEXT",
    };

    /// <inheritdoc />
    /// <remarks>UNLOGGED: no write-ahead log for rows the caller drops anyway (such a table is emptied after a crash).</remarks>
    public override string CreateWorkTable(string table) => $"CREATE UNLOGGED TABLE {table}";

    /// <inheritdoc />
    /// <remarks>The index, then ANALYZE: autovacuum has not seen a table created moments ago, and the planner would guess its size.</remarks>
    public override IReadOnlyList<string> IndexWorkTable(string table, string index, IReadOnlyList<string> columns, bool unique) =>
        [.. base.IndexWorkTable(table, index, columns, unique), $"ANALYZE {table}"];

    /// <inheritdoc />
    public override string ByteOrder(string text) => $"({text}) COLLATE \"C\"";

    /// <inheritdoc />
    public override string RegexMatchesIgnoringCase(string expression, string pattern) => $"({expression} ~* {pattern})";

    /// <inheritdoc />
    public override string? TextHash(string expression) => $"hashtextextended({expression}, 0)";

    /// <inheritdoc />
    /// <remarks>The row version's physical place (a <c>tid</c>): fixed within a statement's snapshot; hash joins and <c>max</c> take it from PostgreSQL 14.</remarks>
    public override string RowKey => "ctid";
}
