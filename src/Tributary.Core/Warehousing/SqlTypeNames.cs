namespace Tributary.Core.Warehousing;

/// <summary>Portable kinds of SQL type names as DuckDB and PostgreSQL spell them (information_schema and ADO.NET names).</summary>
public static class SqlTypeNames
{
    /// <summary>The kind of a type name such as <c>BIGINT</c>, <c>double precision</c> or <c>DECIMAL(10,2)</c>.</summary>
    public static DataKind KindOf(string sqlType)
    {
        var t = sqlType.Trim().ToUpperInvariant();
        var paren = t.IndexOf('(', StringComparison.Ordinal);
        if (paren > 0) t = t[..paren].Trim();
        return t switch
        {
            "BIGINT" or "INTEGER" or "INT" or "SMALLINT" or "TINYINT" or "HUGEINT" or "UBIGINT" or "UINTEGER" or "USMALLINT" or "UTINYINT"
                or "INT2" or "INT4" or "INT8" or "BIGSERIAL" or "SERIAL" => DataKind.Integer,
            "DOUBLE" or "FLOAT" or "REAL" or "DECIMAL" or "NUMERIC" or "DOUBLE PRECISION" or "FLOAT4" or "FLOAT8" => DataKind.Number,
            "VARCHAR" or "TEXT" or "STRING" or "CHARACTER VARYING" or "CHARACTER" or "CHAR" or "BPCHAR" or "UUID" => DataKind.Text,
            "BOOLEAN" or "BOOL" => DataKind.Boolean,
            "DATE" => DataKind.Date,
            _ when t.StartsWith("TIMESTAMP", StringComparison.Ordinal) => DataKind.Timestamp,
            _ => DataKind.Other,
        };
    }

    /// <summary>
    /// Whether a timestamp type holds instants (<c>TIMESTAMP WITH TIME ZONE</c>, <c>TIMESTAMPTZ</c>): compared with a plain
    /// TIMESTAMP, the engine would read that one in the session's TimeZone.
    /// </summary>
    public static bool HasTimeZone(string sqlType)
    {
        var t = sqlType.Trim();
        return t.Contains("WITH TIME ZONE", StringComparison.OrdinalIgnoreCase) || t.StartsWith("TIMESTAMPTZ", StringComparison.OrdinalIgnoreCase);
    }
}
