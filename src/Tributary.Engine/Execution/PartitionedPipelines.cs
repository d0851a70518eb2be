using Tributary.Core.Pipelines;

namespace Tributary.Engine.Execution;

/// <summary>Loads a pipeline for one of its partitions: its partition variables come from the key, parsed by the pipeline's scheme.</summary>
internal static class PartitionedPipelines
{
    public static PipelineSpec Load(Func<string, IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>?, PipelineSpec> load,
        string pipeline, IReadOnlyDictionary<string, string> parameters, string? partition, DateTimeOffset now)
    {
        if (partition is null) return load(pipeline, parameters, null);
        var plain = load(pipeline, parameters, null);
        if (plain.Partitions is null) throw new InvalidOperationException($"pipeline '{pipeline}' has no partitions, but the run asks for '{partition}'.");
        return load(pipeline, parameters, new PartitionScheme(plain.Partitions).Parse(partition, now).Variables);
    }
}
