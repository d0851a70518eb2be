using System.ComponentModel;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources;

/// <summary>Parameters of <c>source.parquet</c>.</summary>
public sealed record ParquetSourceParameters
{
    /// <summary>File, folder or glob.</summary>
    [Description("Parquet file, folder of .parquet files, or glob; relative to the project folder.")]
    public required string Path { get; init; }

    /// <summary>Columns to keep with their SQL types.</summary>
    [Description("Columns to keep, each with its SQL type. When absent, every column is kept with the file's types.")]
    public IReadOnlyDictionary<string, string>? Columns { get; init; }
}

/// <summary>Loads Parquet files into a table.</summary>
public sealed class ParquetSource : IComponent<ParquetSourceParameters>
{
    /// <inheritdoc />
    public static string TypeName => "source.parquet";
    /// <inheritdoc />
    public static string Description => "Load Parquet files into a table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;

    /// <inheritdoc />
    public ComponentPlan Plan(ParquetSourceParameters parameters, PlanContext context) => new(FileSource.Declared(parameters.Columns), []);

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(ParquetSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        FileSource.LoadAsync(context, parameters.Path, ".parquet", FileFormat.Parquet, new FileReadOptions(null, parameters.Columns), cancellationToken);
}
