using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>How a platform export looks: its columns by header, their types, and which a row cannot do without.</summary>
/// <param name="Platform">Name used in messages, e.g. "Shopify orders export".</param>
/// <param name="Columns">Output columns in order.</param>
/// <param name="HeaderMarker">For exports with preamble lines (Google Ads): the header is the first line containing this text.</param>
/// <param name="GroupBy">
/// Header of the column whose consecutive rows form one record spread over several rows (a Shopify order, one row per line
/// item): the <see cref="PlatformColumn.GroupLevel"/> fields may be filled on one of those rows only, and every row gets them.
/// </param>
internal sealed record PlatformLayout(string Platform, IReadOnlyList<PlatformColumn> Columns, string? HeaderMarker = null, string? GroupBy = null)
{
    /// <summary>Columns as the warehouse gets them, plus the provenance columns every source adds.</summary>
    public IReadOnlyList<(string Name, DataKind Kind)> OutputColumns =>
        [.. Columns.Select(c => (c.Name, c.Kind)), ("_source_file", DataKind.Text), ("_source_line", DataKind.Integer)];
}

/// <summary>One column of an export.</summary>
/// <param name="Name">Output column name (snake_case).</param>
/// <param name="Header">The header as the platform writes it; matched case-insensitively, or as a prefix when it ends with '*'.</param>
/// <param name="Kind">Text, Integer, Number, Boolean, Date or Timestamp (read as UTC; offsets honoured).</param>
/// <param name="Required">A row missing it is rejected.</param>
/// <param name="GroupLevel">Belongs to the group of rows (<see cref="PlatformLayout.GroupBy"/>), not to one row; blank on a row, it is taken from the group's row that has it.</param>
internal sealed record PlatformColumn(string Name, string Header, DataKind Kind = DataKind.Text, bool Required = false, bool GroupLevel = false)
{
    public bool Matches(string header) =>
        Header.EndsWith('*')
            ? header.Trim().StartsWith(Header[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(header.Trim(), Header, StringComparison.OrdinalIgnoreCase);
}
