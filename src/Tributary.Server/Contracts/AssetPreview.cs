using Tributary.Core.Warehousing;

namespace Tributary.Server.Contracts;

/// <summary>
/// A page of a table's rows and its row count (<c>GET /api/assets/{name}</c>, paged by offset and limit, ordered by
/// <c>order_by</c> and <c>direction</c>, narrowed by <c>search</c>).
/// </summary>
/// <param name="Columns">Its columns in order.</param>
/// <param name="Rows">Rows, each a list of values in column order.</param>
/// <param name="Total">How many rows the whole table has.</param>
/// <param name="Offset">How many rows come before the first of <paramref name="Rows"/>.</param>
/// <param name="Matched">How many rows contain the search text in a text column (the pages' total); <paramref name="Total"/> without a search.</param>
public sealed record AssetPreview(IReadOnlyList<ColumnView> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows, long Total, long Offset, long Matched);

/// <summary>A column of a table.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">Its kind of data.</param>
/// <param name="SqlType">The engine's name of its type (DuckDB <c>DECIMAL(18,2)</c>, PostgreSQL <c>numeric(18,2)</c>), where the answer gives it (<c>POST /api/query</c>).</param>
public sealed record ColumnView(string Name, DataKind Type, string? SqlType = null);
