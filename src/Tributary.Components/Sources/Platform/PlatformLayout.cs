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
/// <param name="SummaryRowPrefix">
/// Rows whose first field, or first layout column, starts with this text are the report's own totals (Google Ads' "Total: Account"),
/// not data: they are skipped and counted, never loaded or rejected.
/// </param>
/// <param name="SummaryRowBlank">
/// Header of a column left blank on the report's summary row, which can only be the first row after the header (Meta Ads
/// Manager's optional account totals, with no campaign name): that row is skipped and counted like a total row; a later row
/// with the column blank is rejected as usual.
/// </param>
/// <param name="DayRange">
/// Names of the date columns that open and close the period a row reports (Meta's Reporting starts and ends): a row whose
/// period is longer than one day is rejected, since the spend of a month would otherwise land on its first day.
/// </param>
internal sealed record PlatformLayout(string Platform, IReadOnlyList<PlatformColumn> Columns, string? HeaderMarker = null, string? GroupBy = null,
    string? SummaryRowPrefix = null, string? SummaryRowBlank = null, (string Start, string End)? DayRange = null)
{
    /// <summary>
    /// The zone of timestamps the file writes without an offset (the project's reporting zone, set by the loader); null reads
    /// them as UTC. Columns the platform states are UTC stay UTC.
    /// </summary>
    public TimeZoneInfo? OffsetlessZone { get; init; }

    /// <summary>How the log says summary rows were skipped, e.g. "report total row(s) skipped ('Total: ...')".</summary>
    public string SummaryRowsSkipped => SummaryRowPrefix is { } prefix ? $"report total row(s) skipped ('{prefix} ...')" : $"summary row(s) skipped (blank '{SummaryRowBlank}')";

    /// <summary>Whether a header field is the one that marks the header line (<see cref="HeaderMarker"/>, under any of its column's spellings).</summary>
    public bool IsMarker(string field) =>
        HeaderMarker is { } marker && (Columns.FirstOrDefault(c => c.Header == marker) is { } column ? column.Matches(field) : field.Trim().Equals(marker, StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The headers the layout reads, as the Markdown table docs/data-model.md shows for each source (a test keeps the two equal):
    /// the column, its header, the other spellings read for it, its type, and whether a file must have it.
    /// </summary>
    public string HeaderTable()
    {
        static string Code(string header) => $"`{header}`";
        var lines = new List<string> { "| column | header | also read from | type | required |", "|---|---|---|---|---|" };
        lines.AddRange(Columns.Select(c =>
            $"| {c.Name} | {Code(c.Header)} | {string.Join(", ", (c.Aliases ?? []).Select(Code).Concat(c.FromHeader is { } f ? [$"the code in {Code(f.TrimEnd('*').TrimEnd().TrimEnd('(').TrimEnd() + " (XXX)")}"] : []))} | {c.Kind.ToString().ToLowerInvariant()} | {(c.Required ? "yes" : "")} |"));
        return string.Join("\n", lines);
    }

    /// <summary>The headers read, in one sentence for a component's description (<c>trib schema</c>, <c>trib components</c>).</summary>
    public string HeaderSummary
    {
        get
        {
            static string Named(PlatformColumn c) => c.Aliases is { Count: > 0 } a ? $"{c.Header} (or {string.Join(", ", a)})" : c.Header;
            return $"Headers read (any case): {string.Join(", ", Columns.Where(c => c.Required).Select(Named))} required; "
                   + $"{string.Join(", ", Columns.Where(c => !c.Required).Select(Named))} optional (NULL when absent, with a warning). See docs/data-model.md#export-headers.";
        }
    }

    /// <summary>Columns as the warehouse gets them, plus the provenance columns every source adds.</summary>
    public IReadOnlyList<(string Name, DataKind Kind)> OutputColumns =>
        [.. Columns.Select(c => (c.Name, c.Kind)), ("_source_file", DataKind.Text), ("_source_line", DataKind.Integer)];
}

/// <summary>One column of an export.</summary>
/// <param name="Name">Output column name (snake_case).</param>
/// <param name="Header">The header as the platform writes it; matched case-insensitively, or as a prefix when it ends with '*'.</param>
/// <param name="Kind">Text, Integer, Number, Boolean, Date or Timestamp (offsets honoured; without one, in <see cref="PlatformLayout.OffsetlessZone"/>).</param>
/// <param name="Required">A row missing it is rejected.</param>
/// <param name="GroupLevel">Belongs to the group of rows (<see cref="PlatformLayout.GroupBy"/>), not to one row; blank on a row, it is taken from the group's row that has it.</param>
/// <param name="Aliases">
/// Other headers the platform writes for the column (another export screen or version), matched like <paramref name="Header"/>.
/// When a file has several of them, a row takes the first that is not blank, <paramref name="Header"/> first.
/// </param>
/// <param name="FromHeader">
/// When the file has none of the column's headers, the three-letter code in parentheses at the end of the header matching
/// this one, for every row (Meta writes the account currency as "Amount spent (GBP)").
/// </param>
/// <param name="StatedUtc">A timestamp the platform writes in UTC (Stripe's "Created date (UTC)"): read as UTC in any reporting zone.</param>
internal sealed record PlatformColumn(string Name, string Header, DataKind Kind = DataKind.Text, bool Required = false, bool GroupLevel = false,
    IReadOnlyList<string>? Aliases = null, string? FromHeader = null, bool StatedUtc = false)
{
    /// <summary><see cref="Header"/>, then <see cref="Aliases"/>: every header the column is read from, in order of preference.</summary>
    public IEnumerable<string> Headers => Aliases is null ? [Header] : [Header, .. Aliases];

    public bool Matches(string header) => Headers.Any(h => Matches(h, header));

    public static bool Matches(string pattern, string header) =>
        pattern.EndsWith('*')
            ? header.Trim().StartsWith(pattern[..^1], StringComparison.OrdinalIgnoreCase)
            : string.Equals(header.Trim(), pattern, StringComparison.OrdinalIgnoreCase);
}
