using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.DuckDb;

/// <summary>DuckDB's spelling of the SQL that differs between engines.</summary>
public sealed class DuckDbDialect : StandardSqlDialect
{
    /// <inheritdoc />
    public override string Name => "duckdb";

    /// <inheritdoc />
    public override string TypeName(DataKind kind) => kind switch
    {
        DataKind.Integer => "BIGINT",
        DataKind.Number => "DOUBLE",
        DataKind.Boolean => "BOOLEAN",
        DataKind.Date => "DATE",
        DataKind.Timestamp => "TIMESTAMP",
        _ => "VARCHAR",
    };
}
