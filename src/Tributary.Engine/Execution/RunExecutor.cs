using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Polly;
using Polly.Retry;
using Tributary.Core.Components;
using Tributary.Core.Pipelines;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;
using Tributary.Engine.Checks;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Execution;

/// <summary>
/// Plans and executes one run: assets in dependency order, independent ones in parallel, retries by the
/// pipeline's policy, checks after each write, and everything recorded in the run store. A step's failure is
/// recorded and skips its downstream; it never escapes as an exception.
/// </summary>
/// <param name="catalog">The component types.</param>
/// <param name="warehouse">Where assets are written.</param>
/// <param name="store">Run history.</param>
/// <param name="options">Parallelism.</param>
/// <param name="time">The clock.</param>
/// <param name="events">The process's run-event channel; a private one over <paramref name="store"/> when null.</param>
/// <param name="http">HTTP clients for components that call out (webhooks, activation APIs); none when null.</param>
public sealed class RunExecutor(ComponentCatalog catalog, IWarehouse warehouse, IRunStore store, ExecutorOptions options, TimeProvider time,
    RunEventHub? events = null, IHttpClientFactory? http = null)
{
    private static readonly TimeSpan MemorySamplePeriod = TimeSpan.FromMilliseconds(100);
    private readonly RunEventHub _events = events ?? new RunEventHub(store);

    /// <summary>Runs the selected assets of <paramref name="pipeline"/>. Cancellation ends the run as cancelled.</summary>
    /// <exception cref="WholeRunRefusedException">The request has no partition but the pipeline needs one; no run is recorded.</exception>
    /// <exception cref="PipelineAlreadyRunningException">A live process runs the same pipeline and partition; no run is recorded.</exception>
    public async Task<RunResult> ExecuteAsync(PipelineSpec pipeline, RunRequest request, CancellationToken cancellationToken)
    {
        if (request.Partition is null) PartitionedPipelines.CheckWholeRun(pipeline, time.GetUtcNow());
        var graph = AssetGraph.Of(pipeline);
        var selected = AssetSelection.Resolve(graph, request.Selection);
        var order = graph.TopologicalOrder().Where(selected.Contains).ToList();
        var specs = pipeline.Components.ToDictionary(c => c.Id);
        var plans = PipelinePlans.Of(pipeline, catalog);
        var fingerprints = AssetDefinitions.Fingerprints(pipeline);
        var runId = NewRunId();
        var started = time.GetUtcNow();
        var steps = order.ToDictionary(id => id, id => new StepRecord(runId, id, specs[id].Type, StepStatus.Pending, 0, null, null, null));

        // One run per pipeline (and partition) across processes: a second one would load the same files again.
        if (await store.TryCreateRunAsync(new RunRecord(runId, pipeline.Name, RunStatus.Running, request.Trigger, request.Selection, started, null, null, Environment.ProcessId, request.Partition)
            { Params = request.Params, FullRefresh = request.FullRefresh }, order.Select(id => steps[id]).ToList(), options.ProcessAlive, started, CancellationToken.None).ConfigureAwait(false) is { } holder)
            throw new PipelineAlreadyRunningException(holder);
        // Every text the run stores, prints or sends passes through the mask: its env values never leave it (docs/security.md).
        var mask = SecretMask.Of(pipeline);
        request = request with { Environment = mask.Recording(request.Environment) };
        var run = new RunState(_events.Open(runId, request.Observer), request, pipeline.Name, fingerprints, specs, time, mask, pipeline.Timezone);
        // The steps stop when the run is cancelled, or when the run store is gone for good (see below).
        using var abort = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var running = new Dictionary<string, Task>(StringComparer.Ordinal);
        try
        {
            return await ExecuteRunAsync(pipeline, request, run, graph, selected, order, specs, plans, fingerprints, steps, started, running, abort.Token, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (RunStoreUnavailableException e)
        {
            // The store rode out what it could (PostgresRunStoreOptions.RetryFor): the run ends failed with that cause, recorded
            // if the store answers once more, and returned, so that the caller alerts (an alert needs no store).
            await abort.CancelAsync().ConfigureAwait(false);
            await Task.WhenAll(running.Values.Select(t => t.ContinueWith(_ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)))
                .ConfigureAwait(false);
            var error = mask.Apply($"the run could not be recorded: {e.Message}");
            foreach (var id in order.Where(id => steps[id].Status is StepStatus.Pending or StepStatus.Running))
                steps[id] = steps[id] with { Status = steps[id].Status == StepStatus.Running ? StepStatus.Failed : StepStatus.Skipped, Error = error };
            try
            {
                await store.EndRunAsync(runId, RunStatus.Failed, time.GetUtcNow(), error, CancellationToken.None).ConfigureAwait(false);
            }
            catch (RunStoreUnavailableException)
            {
                // Left "running": the process that next finds it unfinished closes it (crash recovery, the daemon's recovery).
            }
            try
            {
                run.Emit(RunEventKind.RunEnded, null, $"run failed: {error}");
                await run.Events.CompleteAsync().ConfigureAwait(false);
            }
            catch (RunStoreUnavailableException)
            {
                // Shown, not recorded.
            }
            return new RunResult(runId, RunStatus.Failed, order.Select(id => steps[id]).ToList(), error);
        }
    }

    private async Task<RunResult> ExecuteRunAsync(PipelineSpec pipeline, RunRequest request, RunState run, AssetGraph graph, IReadOnlySet<string> selected, List<string> order,
        Dictionary<string, ComponentSpec> specs, IReadOnlyDictionary<string, ComponentPlan> plans, IReadOnlyDictionary<string, string?> fingerprints,
        Dictionary<string, StepRecord> steps, DateTimeOffset started, Dictionary<string, Task> running, CancellationToken stepToken, CancellationToken cancellationToken)
    {
        var runId = run.RunId;
        if (request.Started is { } onStarted) await onStarted(runId, CancellationToken.None).ConfigureAwait(false);
        run.Emit(RunEventKind.RunStarted, null, $"run {runId} of '{pipeline.Name}': {order.Count} step(s)");
        foreach (var warning in request.Warnings) run.Emit(RunEventKind.Log, null, warning);
        var foreign = await ForeignInputs.FindAsync(pipeline, graph, order, selected, fingerprints, request, store, CancellationToken.None).ConfigureAwait(false);

        await using var memory = new ResidentMemorySampler(MemorySamplePeriod, time);
        var admission = new StepAdmission(options.MaxParallelSteps, pipeline.Pools);
        var blocked = new HashSet<string>(StringComparer.Ordinal); // failed, or a blocking check failed
        string? firstError = null;

        while (true)
        {
            foreach (var id in order.Where(id => steps[id].Status == StepStatus.Pending))
            {
                if (cancellationToken.IsCancellationRequested) continue; // marked cancelled below
                if (foreign.TryGetValue(id, out var stale))
                {
                    // It would read a table another definition built: failed before it starts, so its downstream is skipped.
                    steps[id] = steps[id] with { Status = StepStatus.Failed, Error = stale, StartedAt = time.GetUtcNow(), EndedAt = time.GetUtcNow() };
                    blocked.Add(id);
                    firstError ??= stale;
                    await store.UpdateStepAsync(steps[id], CancellationToken.None).ConfigureAwait(false);
                    run.Emit(RunEventKind.StepFailed, id, $"{id} ({specs[id].Type}) not run: {stale}");
                    continue;
                }
                var ups = graph.Upstream(id).Where(selected.Contains).ToList();
                if (ups.FirstOrDefault(u => blocked.Contains(u) || steps[u].Status is StepStatus.Skipped or StepStatus.Cancelled) is { } bad)
                {
                    steps[id] = steps[id] with { Status = StepStatus.Skipped, Error = $"upstream '{bad}' did not succeed" };
                    blocked.Add(id);
                    await store.UpdateStepAsync(steps[id], CancellationToken.None).ConfigureAwait(false);
                    run.Emit(RunEventKind.StepSkipped, id, $"skipped: upstream '{bad}' did not succeed");
                    continue;
                }
                if (!ups.All(u => steps[u].Status == StepStatus.Succeeded) || !admission.TryStart(id, specs[id].Pool)) continue;
                steps[id] = steps[id] with { Status = StepStatus.Running, StartedAt = time.GetUtcNow() };
                running[id] = ExecuteStepAsync(specs[id], plans, steps[id], run, BuildRetry(pipeline.RetryOf(id), run, id), admission, memory, stepToken);
            }
            if (running.Count == 0) break;

            var done = await Task.WhenAny(running.Values).ConfigureAwait(false);
            var doneId = running.First(p => p.Value == done).Key;
            running.Remove(doneId);
            admission.End(doneId);
            var outcome = await ((Task<StepOutcome>)done).ConfigureAwait(false);
            steps[doneId] = outcome.Step;
            if (outcome.Step.Status != StepStatus.Succeeded || outcome.BlockingCheckFailed)
            {
                blocked.Add(doneId);
                firstError ??= outcome.Step.Error ?? $"blocking check failed on '{doneId}'";
            }
        }

        foreach (var id in order.Where(id => steps[id].Status == StepStatus.Pending))
        {
            steps[id] = steps[id] with { Status = StepStatus.Cancelled };
            await store.UpdateStepAsync(steps[id], CancellationToken.None).ConfigureAwait(false);
        }
        var status = cancellationToken.IsCancellationRequested ? RunStatus.Cancelled
            : blocked.Count > 0 ? RunStatus.Failed : RunStatus.Succeeded;
        var error = status == RunStatus.Cancelled ? "cancelled" : firstError;
        await store.EndRunAsync(runId, status, time.GetUtcNow(), error, CancellationToken.None).ConfigureAwait(false);
        run.Emit(RunEventKind.RunEnded, null, $"run {status.ToString().ToLowerInvariant()} in {(time.GetUtcNow() - started).TotalSeconds:0.0}s");
        // Every event is recorded and delivered before the run returns; a failed write surfaces here.
        await run.Events.CompleteAsync().ConfigureAwait(false);
        return new RunResult(runId, status, order.Select(id => steps[id]).ToList(), error);
    }

    private sealed record StepOutcome(StepRecord Step, bool BlockingCheckFailed);

    private async Task<StepOutcome> ExecuteStepAsync(ComponentSpec spec, IReadOnlyDictionary<string, ComponentPlan> plans, StepRecord step, RunState run, ResiliencePipeline resilience,
        StepAdmission admission, ResidentMemorySampler memory, CancellationToken cancellationToken)
    {
        await Task.Yield();
        var window = memory.Open();
        await store.UpdateStepAsync(step, CancellationToken.None).ConfigureAwait(false);
        run.Emit(RunEventKind.StepStarted, spec.Id, $"{spec.Id} ({spec.Type}) started");
        var descriptor = catalog.Get(spec.Type);
        var attempts = 0;
        var watch = Stopwatch.StartNew();
        var outputs = plans[spec.Id].OutputsOf(spec.Id);
        var context = StepContexts.Create(spec, plans, warehouse, run.Request, run.RunId, time, line => run.Emit(RunEventKind.Log, spec.Id, line), http, run.Timezone);
        // With workers, a partition's step materializes on the cluster, fenced there by the attempt's epoch.
        var placed = options.Placement is { } placement && run.Request.Partition is { } key
            ? new StepAttempt(run.Pipeline, run.Request.Params, key, spec.Id, run.RunId, run.Request.FullRefresh) : null;
        async Task<Materialization> AttemptAsync(CancellationToken ct)
        {
            attempts++;
            return placed is not null
                ? await options.Placement!.MaterializeAsync(placed, ct).ConfigureAwait(false)
                : await descriptor.MaterializeAsync(spec.Parameters, context, ct).ConfigureAwait(false);
        }
        var ranAlone = false;
        try
        {
            var materialization = await resilience.ExecuteAsync(async ct =>
            {
                try
                {
                    return await AttemptAsync(ct).ConfigureAwait(false);
                }
                // The warehouse's memory is shared by the steps running at once: out of it beside others, the step gets one
                // more attempt with the warehouse to itself, outside the retry policy (it is not the step's own failure).
                catch (Exception e) when (!ranAlone && warehouse.IsOutOfMemory(e) && admission.Beside(spec.Id) is { Count: > 0 } beside)
                {
                    ranAlone = true;
                    run.Emit(RunEventKind.StepRunAlone, spec.Id,
                        $"attempt {attempts} ran out of the warehouse's memory beside {string.Join(", ", beside)}: {e.Message}; running it again alone once the steps running now finish (not counted as a retry)");
                    using var alone = await admission.AloneAsync(spec.Id, ct).ConfigureAwait(false);
                    return await AttemptAsync(ct).ConfigureAwait(false);
                }
            }, cancellationToken).ConfigureAwait(false);

            // This continuation can run inline on the thread that completed the component (for identity, the last of its parallel
            // appends), whose stack still reaches what the component wrote from: a collection there found identity's graph (82 MB
            // at 100k demo customers) alive, and the graph then stayed resident beside sessions until the next step's collection;
            // 100 ms later it was garbage (bench/README.md, stop 21). Going on from the thread pool lets that stack unwind first.
            await Task.Yield();
            // The tables are swapped in: from here nothing about the step's own data may fail it (its record would then say
            // failed beside new tables). Metadata JSON cannot hold becomes null with a warning, and a check that errs fails as a check.
            var (metadata, unrecorded) = MaterializationJson.Serialize(Metadata(spec, materialization, run));
            await RecordOutputsAsync(spec, outputs, plans[spec.Id].Writes, materialization.RowCount, metadata, run, watch.Elapsed).ConfigureAwait(false);
            ReleaseManagedMemory();
            var done = step with { Status = StepStatus.Succeeded, Attempts = attempts, EndedAt = time.GetUtcNow(), PeakRssBytes = window.Close() };
            await store.UpdateStepAsync(done, CancellationToken.None).ConfigureAwait(false);
            run.Emit(RunEventKind.StepSucceeded, spec.Id,
                $"{spec.Id}: {materialization.RowCount.ToString("N0", CultureInfo.InvariantCulture)} rows in {watch.Elapsed.TotalSeconds:0.00}s");

            var blockingFailed = false;
            foreach (var check in spec.Checks)
            {
                var table = outputs.FirstOrDefault(o => o.Output.Name == check.Output)?.Table ?? spec.Id;
                var (passed, detail) = await RunCheckAsync(table, check).ConfigureAwait(false);
                detail = run.Mask.Apply(detail);
                await store.AddCheckAsync(new CheckRecord(run.RunId, spec.Id, check.Name, passed, check.Blocking, detail, time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
                run.Emit(RunEventKind.Check, spec.Id, $"check {check.Name}: {(passed ? "passed" : "FAILED")} ({detail})");
                blockingFailed |= !passed && check.Blocking;
            }
            foreach (var warning in materialization.Warnings.Concat(unrecorded))
            {
                await store.AddCheckAsync(new CheckRecord(run.RunId, spec.Id, WarningCheck, false, false, run.Mask.Apply(warning), time.GetUtcNow()), CancellationToken.None).ConfigureAwait(false);
                run.Emit(RunEventKind.Check, spec.Id, $"warning: {warning}");
            }
            return new StepOutcome(done, blockingFailed);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            var cancelled = step with { Status = StepStatus.Cancelled, Attempts = attempts, EndedAt = time.GetUtcNow(), Error = "cancelled", PeakRssBytes = window.Close() };
            await store.UpdateStepAsync(cancelled, CancellationToken.None).ConfigureAwait(false);
            run.Emit(RunEventKind.StepFailed, spec.Id, $"{spec.Id}: cancelled; the table keeps its previous version");
            return new StepOutcome(cancelled, false);
        }
        catch (Exception e)
        {
            var message = run.Mask.Apply($"{spec.Id} ({spec.Type}) failed: {e.Message}");
            var failed = step with { Status = StepStatus.Failed, Attempts = attempts, EndedAt = time.GetUtcNow(), Error = message, PeakRssBytes = window.Close() };
            await store.UpdateStepAsync(failed, CancellationToken.None).ConfigureAwait(false);
            // Said when a retry policy was skipped, so that nobody waits for retries that will not come.
            var note = attempts > 1 ? $" (after {attempts} attempts)"
                : resilience != ResiliencePipeline.Empty && e is not OperationCanceledException && StepFailures.CannotSucceedAgain(e, warehouse)
                    ? " (not retried: another attempt would fail the same way)" : "";
            run.Emit(RunEventKind.StepFailed, spec.Id, message + note);
            return new StepOutcome(failed, false);
        }
    }

    // A materialization for each declared table the step left in the warehouse; the main one carries the component's metadata.
    // A table written under another name (a sync's target) is recorded too, so that its history and lineage name the step.
    private async Task RecordOutputsAsync(ComponentSpec spec, IReadOnlyList<StepOutput> outputs, IReadOnlyList<string> writes, long rowCount, string metadata, RunState run, TimeSpan elapsed)
    {
        foreach (var table in writes)
        {
            if (await warehouse.DescribeTableAsync(table, CancellationToken.None).ConfigureAwait(false) is not { } written) continue;
            await store.AddMaterializationAsync(new MaterializationRecord(run.RunId, table, time.GetUtcNow(), await CountAsync(table, written, null).ConfigureAwait(false),
                written.Columns.Select(c => (c.Name, c.SqlType)).ToList(), elapsed, "{}")
            {
                Step = spec.Id, Output = table, Role = OutputRole.Target, Fingerprint = run.Fingerprints.GetValueOrDefault(spec.Id),
            }, CancellationToken.None).ConfigureAwait(false);
        }
        foreach (var output in outputs.Count == 0 ? [new StepOutput(spec.Id, new DeclaredOutput(DeclaredOutput.MainName, OutputRole.Main, ""), spec.Id)] : outputs)
        {
            var main = output.Output.Role == OutputRole.Main;
            var schema = await warehouse.DescribeTableAsync(output.Table, CancellationToken.None).ConfigureAwait(false);
            if (schema is null && !main) continue; // a side table the component had nothing to write to yet
            var rows = main ? rowCount : await CountAsync(output.Table, schema!, run.Request.Partition).ConfigureAwait(false);
            await store.AddMaterializationAsync(new MaterializationRecord(run.RunId, output.Table, time.GetUtcNow(), rows,
                schema?.Columns.Select(c => (c.Name, c.SqlType)).ToList() ?? [], elapsed, main ? metadata : "{}")
            {
                Step = spec.Id, Output = output.Output.Name, Role = output.Output.Role, Fingerprint = run.Fingerprints.GetValueOrDefault(spec.Id),
            }, CancellationToken.None).ConfigureAwait(false);
        }
    }

    // The component's metadata, the with: values the run used (what a card shows, rather than the file's ${param.…}) and
    // the inputs as the run saw them (lineage read later from the record, not from a pipeline file that may have changed since).
    private static Dictionary<string, object?> Metadata(ComponentSpec spec, Materialization materialization, RunState run)
    {
        var metadata = new Dictionary<string, object?>(materialization.Metadata);
        if (spec.ResolvedWith is not null) metadata.TryAdd(WithKey, JsonNode.Parse(spec.ResolvedWith));
        metadata.TryAdd(InputsKey, new JsonArray([.. spec.Inputs.Select(i => new JsonObject { [InputStepKey] = i, [InputTypeKey] = run.TypeOf(i) })]));
        return metadata;
    }

    // A check whose query errs (a column the table no longer has, a connection lost) is a failed check, blocking as declared:
    // the step's tables are already swapped in, so failing the step would leave a failed step beside new tables.
    private async Task<(bool Passed, string Detail)> RunCheckAsync(string table, CheckSpec check)
    {
        try
        {
            return await CheckRunner.RunAsync(warehouse, table, check, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException and not RunStoreUnavailableException)
        {
            return (false, $"the check could not run: {e.Message}");
        }
    }

    /// <summary>The check name under which a step's <see cref="Materialization.Warnings"/> are recorded.</summary>
    public const string WarningCheck = "warning";

    /// <summary>The key of a main materialization's metadata holding the step's resolved <c>with</c> (see <see cref="ComponentSpec.ResolvedWith"/>).</summary>
    public const string WithKey = "with";

    /// <summary>
    /// The key of a main materialization's metadata holding the step's inputs as the run had them, in the order of
    /// <c>inputs</c>: an array of objects with <see cref="InputStepKey"/> (the input's id, also its table) and
    /// <see cref="InputTypeKey"/> (its component type). Absent in records written before it was kept.
    /// </summary>
    public const string InputsKey = "inputs";

    /// <summary>An input's id within <see cref="InputsKey"/>.</summary>
    public const string InputStepKey = "step";

    /// <summary>An input's component type within <see cref="InputsKey"/>.</summary>
    public const string InputTypeKey = "type";

    // A side table's rows; in a partitioned run, the partition's.
    private async Task<long> CountAsync(string table, TableSchema schema, string? partition)
    {
        var d = warehouse.Dialect;
        var byPartition = partition is not null && schema.Find(PartitionedWarehouse.Column) is not null;
        var sql = $"SELECT count(*) FROM {d.Quote(table)}" + (byPartition ? $" WHERE {d.Quote(PartitionedWarehouse.Column)} = $1" : "");
        return Convert.ToInt64(await warehouse.ScalarAsync(sql, byPartition ? [partition] : null, CancellationToken.None).ConfigureAwait(false), CultureInfo.InvariantCulture);
    }

    private ResiliencePipeline BuildRetry(RetrySpec retry, RunState run, string asset)
    {
        if (retry.MaxRetries == 0) return ResiliencePipeline.Empty;
        return new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = retry.MaxRetries,
                Delay = retry.Delay,
                BackoffType = retry.Backoff switch
                {
                    BackoffKind.Constant => DelayBackoffType.Constant,
                    BackoffKind.Linear => DelayBackoffType.Linear,
                    _ => DelayBackoffType.Exponential,
                },
                UseJitter = retry.Jitter,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(e => e is not OperationCanceledException && !StepFailures.CannotSucceedAgain(e, warehouse)),
                OnRetry = args =>
                {
                    run.Emit(RunEventKind.StepRetry, asset, $"attempt {args.AttemptNumber + 1} failed: {args.Outcome.Exception?.Message}; retrying in {args.RetryDelay.TotalSeconds:0.#}s");
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
    }

    private string NewRunId() =>
        time.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture) + "-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));

    private sealed class RunState(RunEventWriter events, RunRequest request, string pipeline, IReadOnlyDictionary<string, string?> fingerprints,
        IReadOnlyDictionary<string, ComponentSpec> specs, TimeProvider time, SecretMask mask, string timezone)
    {
        public SecretMask Mask => mask;
        public string Timezone => timezone;
        public string Pipeline => pipeline;
        public string? TypeOf(string step) => specs.TryGetValue(step, out var spec) ? spec.Type : null;
        public IReadOnlyDictionary<string, string?> Fingerprints => fingerprints;
        public string RunId => events.RunId;
        public RunRequest Request => request;
        public RunEventWriter Events => events;

        public void Emit(RunEventKind kind, string? asset, string message) => events.Write(new RunEvent(RunId, time.GetUtcNow(), kind, asset, mask.Apply(message)));
    }

    /// <summary>Managed memory past which a finished step's heap is collected and returned to the OS.</summary>
    private const long ReleaseAboveBytes = 64L << 20;

    // A step's managed arrays (identity's graph, attribution's paths: 150-300 MB at 100k demo customers) are garbage once it
    // has finished, but the runtime collects only when managed code allocates, and the steps after it work inside DuckDB: the
    // dead heap stayed resident beside DuckDB's pool for the rest of the run (bench/README.md, stop 18). Between steps the
    // live heap is small, so a full collection that also decommits costs milliseconds; it runs only after a step that left a
    // large heap behind.
    private static void ReleaseManagedMemory()
    {
        if (GC.GetTotalMemory(forceFullCollection: false) < ReleaseAboveBytes) return;
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }
}
