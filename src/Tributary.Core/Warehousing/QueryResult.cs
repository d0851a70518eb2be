namespace Tributary.Core.Warehousing;

/// <summary>Rows of a query, materialized; for previews and small results only.</summary>
public sealed record QueryResult(TableSchema Schema, IReadOnlyList<object?[]> Rows)
{
    /// <summary>For an INSERT, UPDATE, DELETE or MERGE without RETURNING (which returns no rows): how many rows it changed. Null for other statements.</summary>
    public long? RowsChanged { get; init; }
}
