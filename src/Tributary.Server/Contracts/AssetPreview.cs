using Tributary.Core.Warehousing;

namespace Tributary.Server.Contracts;

/// <summary>A page of a table's rows and its row count (<c>GET /api/assets/{name}</c>, paged by offset and limit).</summary>
/// <param name="Columns">Its columns in order.</param>
/// <param name="Rows">Rows, each a list of values in column order.</param>
/// <param name="Total">How many rows the whole table has.</param>
/// <param name="Offset">How many rows come before the first of <paramref name="Rows"/>.</param>
public sealed record AssetPreview(IReadOnlyList<ColumnView> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows, long Total, long Offset);

/// <summary>A column of a table.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">Its kind of data.</param>
public sealed record ColumnView(string Name, DataKind Type);
