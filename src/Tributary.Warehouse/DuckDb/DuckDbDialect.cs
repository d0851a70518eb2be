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

    /// <inheritdoc />
    public override string? WideIntegerType => "HUGEINT";

    /// <inheritdoc />
    /// <remarks>
    /// DuckDB's 64-bit <c>hash</c> of the text XORed with its hash of the text shifted by one byte, as 63 bits so it casts
    /// to BIGINT. DuckDB's string hash combines the hashes of 8-byte chunks, and ids built from counters collide under it
    /// far more often than 64 bits promise: 4.5% of 9.6M ids shaped as journey.conversion_paths' (<c>p_000003317#nc14</c>
    /// and <c>p_000008317#nc19</c> hash equal), so the attribution read's hashed path never applied to the product's own
    /// paths. Shifted by a byte, a text's chunks break at other places: none of those ids collide, at the cost of a second
    /// hash and a short concatenation (+0.02 CPU s per 10M values).
    /// </remarks>
    public override string? TextHash(string expression) => $"CAST(xor(hash({expression}), hash('~' || {expression})) >> 1 AS BIGINT)";

    /// <inheritdoc />
    public override bool GroupsFasterOverSortedInput => true;

    /// <inheritdoc />
    /// <remarks>DuckDB's <c>hash</c> of both values (it combines their hashes), as 63 bits so it casts to BIGINT.</remarks>
    public override string? TextPairHash(string first, string second) => $"CAST(hash({first}, {second}) >> 1 AS BIGINT)";

    /// <inheritdoc />
    public override bool ScansInStoredOrder => true;

    /// <inheritdoc />
    /// <remarks>A table's <c>rowid</c>: 0 to n − 1 as rows were inserted (a range of it is read from the row groups it spans only).</remarks>
    public override string? StoredRowNumber => "rowid";

    /// <inheritdoc />
    /// <remarks>A BIGINT, stable while the statement runs.</remarks>
    public override string RowKey => "rowid";

    /// <inheritdoc />
    /// <remarks>None: DuckDB hashes both sides of a join and keeps its own statistics; an index would only cost memory.</remarks>
    public override IReadOnlyList<string> IndexWorkTable(string table, string index, IReadOnlyList<string> columns, bool unique) => [];

    /// <inheritdoc />
    public override string RegexMatchesIgnoringCase(string expression, string pattern) => $"regexp_matches({expression}, {pattern}, 'i')";

    /// <inheritdoc />
    /// <remarks>DuckDB's ASOF LEFT JOIN: one sort-merge of both sides instead of a window pass over their union.</remarks>
    public override string? NearestAtOrAfterJoin(string table, string name, string equal, string rightTime, string leftTime) =>
        $"ASOF LEFT JOIN {table} {name} ON {equal} AND {rightTime} >= {leftTime}";
}
