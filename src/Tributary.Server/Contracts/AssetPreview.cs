using Tributary.Core.Warehousing;

namespace Tributary.Server.Contracts;

/// <summary>The first rows of a table (<c>GET /api/assets/{name}</c>).</summary>
/// <param name="Columns">Its columns in order.</param>
/// <param name="Rows">Rows, each a list of values in column order.</param>
public sealed record AssetPreview(IReadOnlyList<ColumnView> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows);

/// <summary>A column of a table.</summary>
/// <param name="Name">Its name.</param>
/// <param name="Type">Its kind of data.</param>
public sealed record ColumnView(string Name, DataKind Type);
