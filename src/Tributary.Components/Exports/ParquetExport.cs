using System.ComponentModel;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Exports;

/// <summary>Parameters of <c>export.parquet</c>.</summary>
public sealed record ParquetExportParameters
{
    /// <summary>Target file.</summary>
    [Description("File to write, relative to the project folder; replaced atomically on each run.")]
    [OutputPath]
    public required string Path { get; init; }
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
        FileExport.WriteAsync(context, parameters.Path, FileFormat.Parquet, cancellationToken);
}
