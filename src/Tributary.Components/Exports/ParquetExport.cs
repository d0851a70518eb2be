using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Exports;

/// <summary>Parameters of <c>export.parquet</c>.</summary>
public sealed record ParquetExportParameters
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

/// <summary>Writes its input table to a Parquet file.</summary>
public sealed class ParquetExport : IComponent<ParquetExportParameters>
{
    /// <inheritdoc />
    public static string TypeName => "export.parquet";
    /// <inheritdoc />
    public static string Description => "Write the input table to a Parquet file.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(ParquetExportParameters parameters, PlanContext context) => ComponentPlan.Unknown with { HasTable = false };

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(ParquetExportParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        FileExport.WriteAsync(context, parameters.Path, FileFormat.Parquet, parameters.FileMode, cancellationToken);
}
