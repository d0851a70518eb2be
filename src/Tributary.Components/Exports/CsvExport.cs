using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Exports;

/// <summary>Parameters of <c>export.csv</c>.</summary>
public sealed record CsvExportParameters
{
    /// <summary>Target file.</summary>
    [Description("File to write, relative to the project folder; replaced atomically on each run. Never tributary.yaml, the pipelines folder or .tributary/ (TRIB0111).")]
    [OutputPath]
    public required string Path { get; init; }

    /// <summary>Whether text that a spreadsheet would run as a formula is written with a leading apostrophe.</summary>
    [Description("Text cells starting with =, +, -, @, a tab or a carriage return are written with a leading ' so that Excel, Sheets or LibreOffice show "
        + "them as text instead of running them as formulas (CSV injection: a customer's name or a tracked trait such as =HYPERLINK(...) would "
        + "otherwise run on the marketer's machine). Numbers, dates and booleans are never changed. Set false for files read by programs, not people.")]
    public bool SpreadsheetSafe { get; init; } = true;

    /// <summary>Unix permissions of the file.</summary>
    [Description(FileExport.FileModeDescription)]
    [AllowedValues("600", "640", "660", "644", "664")]
    public string FileMode { get; init; } = "600";
}

/// <summary>Writes its input table to a CSV file with a header row.</summary>
public sealed class CsvExport : IComponent<CsvExportParameters>
{
    /// <inheritdoc />
    public static string TypeName => "export.csv";
    /// <inheritdoc />
    public static string Description => "Write the input table to a CSV file with a header row.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(CsvExportParameters parameters, PlanContext context) => ComponentPlan.Unknown with { HasTable = false };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(CsvExportParameters parameters, ComponentContext context, CancellationToken cancellationToken)
    {
        if (!parameters.SpreadsheetSafe) return await FileExport.WriteAsync(context, parameters.Path, FileFormat.Csv, parameters.FileMode, cancellationToken).ConfigureAwait(false);
        var d = context.Warehouse.Dialect;
        var schema = await context.Warehouse.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"input table '{context.Inputs[0]}' does not exist.");
        // Only text can hold a formula; the characters are OWASP's list for CSV injection.
        var columns = schema.Columns.Select(c => d.Quote(c.Name) is var q && c.Kind == DataKind.Text
            ? $"CASE WHEN substr({q}, 1, 1) IN ('=', '+', '-', '@', chr(9), chr(13)) THEN '''' || {q} ELSE {q} END AS {q}"
            : q);
        return await FileExport.WriteAsync(context, $"SELECT {string.Join(", ", columns)} FROM {d.Quote(context.Inputs[0])}", parameters.Path, FileFormat.Csv,
            parameters.FileMode, cancellationToken).ConfigureAwait(false);
    }
}
