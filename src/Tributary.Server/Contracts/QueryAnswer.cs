namespace Tributary.Server.Contracts;

/// <summary>The result of <c>POST /api/query</c>.</summary>
/// <param name="Columns">Its columns in order.</param>
/// <param name="Rows">Rows, each a list of values in column order.</param>
public sealed record QueryAnswer(IReadOnlyList<ColumnView> Columns, IReadOnlyList<IReadOnlyList<object?>> Rows);
