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

    /// <summary>Zone of timestamps written without an offset; the project's when absent.</summary>
    [TimeZoneName]
    [Description("IANA time zone (e.g. America/New_York) whose wall-clock time a timestamp written without an offset is: 2024-03-10 09:00 is stored as the UTC instant 09:00 is there. "
        + "A timestamp with an offset or Z (2024-03-10T09:00:00Z, +01:00) is never shifted, nor is a date. Default: the project's timezone (tributary.yaml), so in a UTC project times are stored as written.")]
    public string? Timezone { get; init; }
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
    public static bool ReadsTimeZone => true;

    /// <inheritdoc />
    public ComponentPlan Plan(ParquetSourceParameters parameters, PlanContext context) => new(FileSource.Declared(parameters.Columns), []);

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(ParquetSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        FileSource.LoadAsync(context, parameters.Path, ".parquet", FileFormat.Parquet, new FileReadOptions(null, parameters.Columns, OffsetlessZone: FileSource.Zone(parameters.Timezone, context)), cancellationToken);
}
