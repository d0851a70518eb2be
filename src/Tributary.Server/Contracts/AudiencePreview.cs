namespace Tributary.Server.Contracts;

/// <summary>How many rows an audience holds, out of how many, and its first rows (<c>POST /api/audiences/preview</c>).</summary>
/// <param name="Count">Rows in the audience, as segment.audience would write them now (after the limit).</param>
/// <param name="Total">Rows of the table.</param>
/// <param name="Columns">The table's columns in order, with their kinds.</param>
/// <param name="Sample">The audience's first rows (at most 20), each a list of values in column order.</param>
public sealed record AudiencePreview(long Count, long Total, IReadOnlyList<ColumnView> Columns, IReadOnlyList<IReadOnlyList<object?>> Sample);
