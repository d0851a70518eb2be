namespace Tributary.Cluster;

/// <summary>
/// An attempt's answer to a poll: <paramref name="Known"/> is false when this activation never started it (its worker
/// was lost and the grain came back elsewhere); <paramref name="Outcome"/> is set once the step committed,
/// <paramref name="Failure"/> once it failed.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tributary.AttemptProgress")]
public sealed record AttemptProgress([property: Id(0)] bool Known, [property: Id(1)] AttemptOutcome? Outcome, [property: Id(2)] AttemptFailure? Failure);
