using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources;

/// <summary>Parameters of <c>source.csv</c>.</summary>
public sealed record CsvSourceParameters : IValidatableObject
{
    /// <summary>File, folder or glob.</summary>
    [Description("CSV file, folder of .csv (and .csv.gz) files, or glob such as data/orders_*.csv or data/**/*.csv; relative to the project folder. A .gz file is decompressed as it is read.")]
    public required string Path { get; init; }

    /// <summary>Delimiter; detected when absent.</summary>
    [Description("Field delimiter such as ',' ';' or '|'. Detected from the file when absent. Fields are quoted as in RFC 4180; a malformed record (a quote that never closes, a row of the wrong width) fails the load with its line number.")]
    public string? Delimiter { get; init; }

    /// <summary>Whether the files start with a header row.</summary>
    [Description("Whether each file starts with a header row. Without one, 'columns' names the fields in file order. Default true.")]
    public bool Header { get; init; } = true;

    /// <summary>Columns to keep with their SQL types.</summary>
    [Description("Columns to keep, each with its SQL type (e.g. order_id: BIGINT). When absent, every column is kept with inferred types.")]
    public IReadOnlyDictionary<string, string>? Columns { get; init; }

    /// <summary>Text encoding of the files.</summary>
    [Description("Encoding of the files: utf8 (default), utf16 or latin1. A line that is not valid in it fails the load with its file and line number.")]
    public TextEncoding Encoding { get; init; } = TextEncoding.Utf8;

    /// <summary>How the files write dates and timestamps (strftime specifiers); ISO when absent.</summary>
    [Description("How the files write dates and timestamps, in strftime specifiers: '%m/%d/%Y %H:%M' for Excel's 10/5/2024 10:15, '%d/%m/%Y' for 05/10/2024 day first, '%Y-%m-%d %H:%M' for 2024-10-05 10:15. "
        + "Allowed: %Y %y %m %d %b %B %H %I %M %S %p %f; leading zeros are optional. Columns declared DATE or TIMESTAMP are read with it, and a value it does not read fails the load naming the column and value; "
        + "without columns, it is how types are inferred. Default: ISO forms only (2024-10-05, 2024-10-05 10:15:00).")]
    public string? DateFormat { get; init; }

    /// <summary>Zone of timestamps written without an offset; the project's when absent.</summary>
    [TimeZoneName]
    [Description("IANA time zone (e.g. America/New_York) whose wall-clock time a timestamp written without an offset is: 2024-03-10 09:00 is stored as the UTC instant 09:00 is there. "
        + "A timestamp with an offset or Z (2024-03-10T09:00:00Z, +01:00) is never shifted, nor is a date. Default: the project's timezone (tributary.yaml), so in a UTC project times are stored as written.")]
    public string? Timezone { get; init; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (Delimiter is { } d && (d.Length != 1 || d[0] is '"' or '\n' or '\r'))
            yield return new ValidationResult($"delimiter must be one character other than a quote or line break, got '{d}'.", [nameof(Delimiter)]);
        if (Encoding == TextEncoding.Windows1252)
            yield return new ValidationResult("source.csv reads utf8, utf16 or latin1; for windows1252 files use a platform source or convert them to UTF-8.", [nameof(Encoding)]);
        if (DateFormat is { } format && SourceDateFormat.Problem(format) is { } problem)
            yield return new ValidationResult(problem, [nameof(DateFormat)]);
    }
}

/// <summary>Loads CSV files with a header row into a table.</summary>
public sealed class CsvSource : IComponent<CsvSourceParameters>
{
    /// <inheritdoc />
    public static string TypeName => "source.csv";
    /// <inheritdoc />
    public static string Description => "Load CSV files with a header row into a table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    /// <inheritdoc />
    public ComponentPlan Plan(CsvSourceParameters parameters, PlanContext context) => new(FileSource.Declared(parameters.Columns), []);

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(CsvSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        FileSource.LoadAsync(context, parameters.Path, ".csv", FileFormat.Csv, new FileReadOptions(parameters.Delimiter, parameters.Columns, parameters.Header, parameters.Encoding,
            parameters.DateFormat is { } format ? SourceDateFormat.WithDatePart(format) : null, FileSource.Zone(parameters.Timezone, context)), cancellationToken);
}
