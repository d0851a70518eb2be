namespace Tributary.Core.Warehousing;

/// <summary>Rows of a query, materialized; for previews and small results only.</summary>
public sealed record QueryResult(TableSchema Schema, IReadOnlyList<object?[]> Rows);
