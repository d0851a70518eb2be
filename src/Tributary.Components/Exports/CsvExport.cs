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
    public Task<Materialization> MaterializeAsync(CsvExportParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        FileExport.WriteAsync(context, parameters.Path, FileFormat.Csv, parameters.FileMode, cancellationToken);
}
