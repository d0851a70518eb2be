namespace Tributary.Core.Warehousing;

/// <summary>File formats the warehouse can load and export.</summary>
public enum FileFormat
{
    /// <summary>Comma (or other delimiter) separated values with a header row.</summary>
    Csv,
    /// <summary>Apache Parquet.</summary>
    Parquet,
    /// <summary>Newline-delimited JSON, one object per line.</summary>
    NdJson,
}

/// <summary>Options for reading a file into a table.</summary>
/// <param name="Delimiter">CSV delimiter; null to detect.</param>
/// <param name="Columns">When given, exactly these columns are kept, cast to these SQL types; else all, inferred.</param>
/// <param name="Header">Whether a CSV file starts with a header row; without one, <paramref name="Columns"/> names the fields in order.</param>
/// <param name="Encoding">The encoding of a CSV file; JSON is always UTF-8.</param>
/// <param name="DateFormats">
/// How a CSV file writes dates and timestamps, as strftime specifiers: the source's <c>date_format</c> (<c>%m/%d/%Y %H:%M</c>),
/// then any fallbacks (its date part, <c>%m/%d/%Y</c>); null for ISO forms. Declared DATE and TIMESTAMP columns are read
/// with them, and a value none reads fails the load naming column and value; undeclared columns are inferred with the first.
/// </param>
/// <param name="OffsetlessZone">
/// The IANA zone whose wall-clock time a timestamp written without an offset is (a TIMESTAMP column, not one WITH TIME
/// ZONE, nor a value ending in Z or +01:00): it is stored as the UTC instant it names there. Null or UTC stores it as it is.
/// </param>
public sealed record FileReadOptions(string? Delimiter = null, IReadOnlyDictionary<string, string>? Columns = null, bool Header = true, TextEncoding Encoding = TextEncoding.Utf8,
    IReadOnlyList<string>? DateFormats = null, string? OffsetlessZone = null);
