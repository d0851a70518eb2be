namespace Tributary.Cluster;

/// <summary>What a worker's attempt wrote: the step's row count and metadata (JSON), its epoch and the worker's name.</summary>
[GenerateSerializer, Immutable, Alias("Tributary.AttemptOutcome")]
public sealed record AttemptOutcome([property: Id(0)] long RowCount, [property: Id(1)] string MetadataJson, [property: Id(2)] long Epoch, [property: Id(3)] string Worker);
