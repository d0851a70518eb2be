using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.Postgres;

/// <summary>PostgreSQL's spelling of the SQL that differs between engines.</summary>
public sealed class PostgresDialect : ISqlDialect
{
    /// <inheritdoc />
    public string Name => "postgres";

    /// <inheritdoc />
    public string Quote(string identifier) => SqlTypes.Quote(identifier);

    /// <inheritdoc />
    /// <remarks>With a backslash, an E'' string with backslashes doubled: exact whatever standard_conforming_strings says.</remarks>
    public string Literal(string text) =>
        text.Contains('\\', StringComparison.Ordinal) ? "E" + SqlTypes.Literal(text.Replace("\\", "\\\\", StringComparison.Ordinal)) : SqlTypes.Literal(text);

    /// <inheritdoc />
    public string TypeName(DataKind kind) => kind switch
    {
        DataKind.Integer => "BIGINT",
        DataKind.Number => "DOUBLE PRECISION",
        DataKind.Boolean => "BOOLEAN",
        DataKind.Date => "DATE",
        DataKind.Timestamp => "TIMESTAMP",
        _ => "TEXT",
    };

    /// <inheritdoc />
    public DataKind KindOf(string sqlType) => SqlTypeNames.KindOf(sqlType);
}
