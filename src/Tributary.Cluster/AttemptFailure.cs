using Tributary.Core.Warehousing;

namespace Tributary.Cluster;

/// <summary>
/// How a worker's attempt failed: the failure's message (its type, the worker's name and the original message) and whether
/// the worker judged that no retry can succeed (<c>StepFailures.CannotSucceedAgain</c>: a statement its warehouse refuses
/// as written, a parameter the component refuses, an input file that is not there).
/// </summary>
[GenerateSerializer, Immutable, Alias("Tributary.AttemptFailure")]
public sealed record AttemptFailure([property: Id(0)] string Message, [property: Id(1)] bool CannotSucceedAgain)
{
    /// <summary>The failure as the run's executor sees it; one that cannot succeed again is one its retry policy skips.</summary>
    public Exception ToException() => CannotSucceedAgain ? new StatementRefusedException(Message) : new InvalidOperationException(Message);
}
