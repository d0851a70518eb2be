namespace Tributary.Server.Contracts;

/// <summary>The result of <c>POST /api/query</c>.</summary>
/// <param name="Columns">Its columns in order.</param>
/// <param name="Rows">Rows, each a list of values in column order.</param>
/// <param name="TruncatedAt">Set when the result had more rows than the server returns in one answer: the cap it was cut at.</param>
/// <param name="RowsChanged">For an INSERT, UPDATE, DELETE or MERGE: how many rows it changed; null for other statements.</param>
/// <param name="TruncatedAtBytes">
/// Set when the rows were more than the server returns in one answer by size (<c>server: { query_max_mb }</c> in tributary.yaml,
/// default 32 MB): the cap in bytes of the rows' JSON. The answer then holds the rows that fit, in order.
/// </param>
public sealed record QueryAnswer(IReadOnlyList<ColumnView> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows, int? TruncatedAt = null, long? RowsChanged = null,
    long? TruncatedAtBytes = null);
