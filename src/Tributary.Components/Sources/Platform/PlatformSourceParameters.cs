using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources.Platform;

/// <summary>Parameters shared by the platform export sources.</summary>
public record PlatformSourceParameters : IValidatableObject
{
    /// <summary>File, folder or glob.</summary>
    [Description("Export file, folder of exports (.gz ones decompressed as read), or glob (** searches folders), relative to the project. Files already loaded (same path, size and modification time, or the same content under any name) are skipped; a file loaded before whose content changed (a re-export under the same name) replaces the rows it brought. After the path changes, or to drop rows of files no longer there, run with --full-refresh: every file at the path is loaded again and replaces all the source loaded. Where files hold the same record, the one loaded last wins, then the one modified last.")]
    public required string Path { get; init; }

    /// <summary>Most rejected rows tolerated.</summary>
    [Description("Largest share of rejected rows in one load before the step fails (nothing is then written). Default 0.05.")]
    [Range(0, 1)]
    public double MaxRejectedRatio { get; init; } = 0.05;

    /// <summary>CSV delimiter.</summary>
    [Description("Field delimiter of CSV exports, one character. Default ','; with it, a file whose header reads as one field holding tabs (Google Ads' Excel CSV download, UTF-16 and tab-separated) is read tab-separated.")]
    public string Delimiter { get; init; } = ",";

    /// <summary>Text encoding of the files.</summary>
    [Description("Encoding of the files: utf8 (default), utf16, latin1 or windows1252. A line that is not valid in it is rejected with its number, never loaded with replacement characters; a byte order mark in the file wins.")]
    public TextEncoding Encoding { get; init; } = TextEncoding.Utf8;

    /// <summary>Culture numbers are written in.</summary>
    [Description("Culture whose decimal and group separators the exports' numbers use, e.g. de-DE for 1.234,50. Default: invariant (1,234.50); a number that does not parse in it is rejected with the reason.")]
    public string? Culture { get; init; }

    /// <summary>How the exports write dates and timestamps (strftime specifiers), tried before the usual forms.</summary>
    [Description("How CSV exports write dates and timestamps when a spreadsheet re-saved them, in strftime specifiers: '%m/%d/%Y %H:%M' for 10/5/2024 10:15, '%d/%m/%Y %H:%M' for day first. "
        + "Allowed: %Y %y %m %d %b %B %H %I %M %S %p %f; leading zeros are optional; a timestamp without an offset is UTC. It is tried first, then the ISO forms (2024-10-05, 2024-10-05 10:15:00 +0100); "
        + "US slash dates (10/05/2024) are then no longer guessed. A value neither reads is rejected with the reason. Default: none (ISO forms and MM/dd/yyyy).")]
    public string? DateFormat { get; init; }

    /// <summary>Longest record accepted.</summary>
    [Description("Longest record in bytes. A longer one (typically a quote that never closes) is rejected with its line number and reading resumes on the next line. Default 1048576 (1 MiB).")]
    [Range(1024, 1 << 30)]
    public int MaxRecordBytes { get; init; } = Sources.CsvRecordReader.DefaultMaxRecordBytes;

    /// <summary>The <see cref="DateFormat"/> and its date part as .NET custom formats, or null.</summary>
    internal string[]? DotNetDateFormat => DateFormat is { } format && SourceDateFormat.Problem(format) is null
        ? [.. SourceDateFormat.WithDatePart(format).Select(SourceDateFormat.ToDotNet)]
        : null;

    /// <summary>The culture numbers are parsed in.</summary>
    internal CultureInfo NumberCulture => Culture is { Length: > 0 } name ? CultureInfo.GetCultureInfo(name, predefinedOnly: true) : CultureInfo.InvariantCulture;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Delimiter.Length != 1 || Delimiter[0] is '"' or '\n' or '\r')
            yield return new ValidationResult($"delimiter must be one character other than a quote or line break, got '{Delimiter}'.", [nameof(Delimiter)]);
        if (Culture is { Length: > 0 } culture && !IsCulture(culture))
            yield return new ValidationResult($"culture '{culture}' is not a known culture name; use a name such as en-US, de-DE or fr-FR.", [nameof(Culture)]);
        if (DateFormat is { } format && SourceDateFormat.Problem(format) is { } problem)
            yield return new ValidationResult(problem, [nameof(DateFormat)]);
    }

    private static bool IsCulture(string name)
    {
        try
        {
            CultureInfo.GetCultureInfo(name, predefinedOnly: true);
            return true;
        }
        catch (CultureNotFoundException)
        {
            return false;
        }
    }
}
