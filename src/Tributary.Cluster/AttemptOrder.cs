using Tributary.Engine.Execution;

namespace Tributary.Cluster;

/// <summary>A <see cref="StepAttempt"/> as it travels to a worker.</summary>
[GenerateSerializer, Immutable, Alias("Tributary.AttemptOrder")]
public sealed record AttemptOrder(
    [property: Id(0)] string Pipeline, [property: Id(1)] Dictionary<string, string> Params, [property: Id(2)] string Partition,
    [property: Id(3)] string Asset, [property: Id(4)] string RunId, [property: Id(5)] bool FullRefresh = false)
{
    /// <summary>The order for <paramref name="attempt"/>.</summary>
    public static AttemptOrder Of(StepAttempt attempt) =>
        new(attempt.Pipeline, new Dictionary<string, string>(attempt.Params, StringComparer.Ordinal), attempt.Partition, attempt.Asset, attempt.RunId, attempt.FullRefresh);

    /// <summary>The attempt this order describes.</summary>
    public StepAttempt ToAttempt() => new(Pipeline, Params, Partition, Asset, RunId, FullRefresh);
}
