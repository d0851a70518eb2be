using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.DuckDb;

/// <summary>DuckDB's spelling of the SQL that differs between engines.</summary>
public sealed class DuckDbDialect : ISqlDialect
{
    /// <inheritdoc />
    public string Name => "duckdb";

    /// <inheritdoc />
    public string Quote(string identifier) => SqlTypes.Quote(identifier);

    /// <inheritdoc />
    public string Literal(string text) => SqlTypes.Literal(text);

    /// <inheritdoc />
    public string TypeName(DataKind kind) => kind switch
    {
        DataKind.Integer => "BIGINT",
        DataKind.Number => "DOUBLE",
        DataKind.Boolean => "BOOLEAN",
        DataKind.Date => "DATE",
        DataKind.Timestamp => "TIMESTAMP",
        _ => "VARCHAR",
    };

    /// <inheritdoc />
    public DataKind KindOf(string sqlType) => SqlTypeNames.KindOf(sqlType);
}
