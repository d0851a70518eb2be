using System.ComponentModel;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources;

/// <summary>Parameters of <c>source.csv</c>.</summary>
public sealed record CsvSourceParameters
{
    /// <summary>File, folder or glob.</summary>
    [Description("CSV file, folder of .csv files, or glob such as data/orders_*.csv; relative to the project folder.")]
    public required string Path { get; init; }

    /// <summary>Delimiter; detected when absent.</summary>
    [Description("Field delimiter such as ',' ';' or '|'. Detected from the file when absent.")]
    public string? Delimiter { get; init; }

    /// <summary>Whether the files start with a header row.</summary>
    [Description("Whether each file starts with a header row. Without one, 'columns' names the fields in file order. Default true.")]
    public bool Header { get; init; } = true;

    /// <summary>Columns to keep with their SQL types.</summary>
    [Description("Columns to keep, each with its SQL type (e.g. order_id: BIGINT). When absent, every column is kept with inferred types.")]
    public IReadOnlyDictionary<string, string>? Columns { get; init; }
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
    public ComponentPlan Plan(CsvSourceParameters parameters, PlanContext context) => new(FileSource.Declared(parameters.Columns), []);

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(CsvSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        FileSource.LoadAsync(context, parameters.Path, ".csv", FileFormat.Csv, new FileReadOptions(parameters.Delimiter, parameters.Columns, parameters.Header), cancellationToken);
}
