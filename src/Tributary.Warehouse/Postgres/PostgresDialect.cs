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
}
