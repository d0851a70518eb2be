using Tributary.Core.Components;

namespace Tributary.Engine.Execution;

/// <summary>
/// Where a partitioned run's steps materialize when not in this process: a cluster of workers (see 'trib worker'). The
/// executor still plans, records the step and runs its checks; the placement only runs the step's component, fenced by
/// the attempt's epoch, and answers what it wrote.
/// </summary>
public interface IStepPlacement
{
    /// <summary>Materializes <paramref name="attempt"/> somewhere, retrying on another worker when one is lost.</summary>
    Task<Materialization> MaterializeAsync(StepAttempt attempt, CancellationToken cancellationToken);
}
