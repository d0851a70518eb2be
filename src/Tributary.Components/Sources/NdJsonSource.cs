using System.ComponentModel;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Sources;

/// <summary>Parameters of <c>source.ndjson</c>.</summary>
public sealed record NdJsonSourceParameters
{
    /// <summary>File, folder or glob.</summary>
    [Description("Newline-delimited JSON file, folder (its .ndjson, .jsonl, .json and .gz files), or glob (** searches folders); relative to the project folder. A .gz file is decompressed as it is read.")]
    public required string Path { get; init; }

    /// <summary>Columns to keep with their SQL types.</summary>
    [Description("Top-level fields to keep, each with its SQL type. When absent, every field is kept with inferred types.")]
    public IReadOnlyDictionary<string, string>? Columns { get; init; }
}

/// <summary>Loads newline-delimited JSON (one object per line) into a table.</summary>
public sealed class NdJsonSource : IComponent<NdJsonSourceParameters>
{
    /// <inheritdoc />
    public static string TypeName => "source.ndjson";
    /// <inheritdoc />
    public static string Description => "Load newline-delimited JSON, one object per line, into a table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;

    /// <inheritdoc />
    public ComponentPlan Plan(NdJsonSourceParameters parameters, PlanContext context) => new(FileSource.Declared(parameters.Columns), []);

    /// <inheritdoc />
    public Task<Materialization> MaterializeAsync(NdJsonSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken) =>
        FileSource.LoadAsync(context, parameters.Path, ".ndjson", FileFormat.NdJson, new FileReadOptions(null, parameters.Columns), cancellationToken);
}
