using Tributary.Core.Warehousing;

namespace Tributary.Cluster;

/// <summary>
/// How a worker's attempt failed: the failure's message (its type, the worker's name and the original message) and whether
/// the worker's warehouse refused the step's statement as written, so that no retry can succeed.
/// </summary>
[GenerateSerializer, Immutable, Alias("Tributary.AttemptFailure")]
public sealed record AttemptFailure([property: Id(0)] string Message, [property: Id(1)] bool StatementRefused)
{
    /// <summary>The failure as the run's executor sees it; a refused statement is one its retry policy skips.</summary>
    public Exception ToException() => StatementRefused ? new StatementRefusedException(Message) : new InvalidOperationException(Message);
}
