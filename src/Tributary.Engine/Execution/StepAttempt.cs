namespace Tributary.Engine.Execution;

/// <summary>
/// One attempt at one (asset, partition) of a run, described by what a worker needs to redo it from the project alone:
/// the pipeline and its params (loaded again on the worker), the partition, the asset and the run.
/// </summary>
/// <param name="Pipeline">The pipeline's name.</param>
/// <param name="Params">The run's template params.</param>
/// <param name="Partition">The partition key.</param>
/// <param name="Asset">The asset (step) id.</param>
/// <param name="RunId">The run.</param>
/// <param name="FullRefresh">Whether the run is a full refresh (<see cref="RunRequest.FullRefresh"/>).</param>
public sealed record StepAttempt(string Pipeline, IReadOnlyDictionary<string, string> Params, string Partition, string Asset, string RunId, bool FullRefresh = false);
