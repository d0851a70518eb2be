using System.Globalization;
using Microsoft.Extensions.Logging;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Orchestration;

/// <summary>Starts one queued run and reports how it ended; the host loads the pipeline with the run's params and partition.</summary>
public delegate Task<RunResult> RunLauncher(QueuedRun run, CancellationToken cancellationToken);

/// <summary>
/// The long-lived part of Tributary: each tick evaluates schedules and sensors, advances backfills, and starts queued
/// runs in free slots (a global limit; one run per pipeline, or per pipeline and partition, at a time; higher priority
/// first, then oldest). Every decision is written to the orchestration store first, so a daemon that dies and starts
/// again carries on: <see cref="RecoverAsync"/> requeues what was running (a backfill's partitions, or a run whose
/// retry policy allows) unless its run had already finished every step. Time comes from the injected clock only.
/// </summary>
public sealed class Daemon
{
    private readonly Func<CancellationToken, Task<IReadOnlyList<PipelineSpec>>> _pipelines;
    private readonly IOrchestrationStore _store;
    private readonly IRunStore _runs;
    private readonly ISensorEvaluator _sensors;
    private readonly RunLauncher _launch;
    private readonly FailureAlerts _alerts;
    private readonly DaemonOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<Daemon> _log;
    private readonly Lock _lock = new();
    private readonly Dictionary<string, (QueuedRun Run, Task Task, CancellationTokenSource Cancel)> _active = [];
    private volatile bool _stopping;
    // Whether this process held the lead at its last tick, and whether it recovers the queue on taking the lead (RunAsync).
    private volatile bool _leading;
    private bool _recoverOnLead;
    private bool _followed;
    // Runs of this process whose end could not be written (the store was unreachable): their error, for the recovery that
    // closes them, and whether their alert went out already (it needs no store, so it does not wait for one).
    private readonly Dictionary<string, (string Error, bool Alerted)> _unrecorded = [];
    // Queue entries refused because another process runs their pipeline: their wait is logged once, not at every tick.
    private readonly HashSet<string> _waiting = [];
    // Queue entries whose runs outlived the stop's grace and were recorded by AbandonAsync: their late end records nothing.
    private readonly HashSet<string> _abandoned = [];
    private volatile bool _recoverPending;
    private volatile DaemonHealth _health = new(null, null, null);

    /// <summary>A daemon over the project's pipelines, stores and warehouse.</summary>
    public Daemon(Func<CancellationToken, Task<IReadOnlyList<PipelineSpec>>> pipelines, IOrchestrationStore store, IRunStore runs, ISensorEvaluator sensors,
        RunLauncher launch, FailureAlerts alerts, DaemonOptions options, TimeProvider time, ILogger<Daemon> log)
    {
        (_pipelines, _store, _runs, _sensors, _launch, _alerts, _options, _time, _log) = (pipelines, store, runs, sensors, launch, alerts, options.Validate(), time, log);
    }

    /// <summary>Ticks until cancelled; on cancellation, running runs are cancelled and awaited (their tables keep their previous version).</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        // The first tick that leads recovers what a dead process left launched, and so does every later take-over.
        _recoverOnLead = true;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                await TickAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e)
            {
                // The whole exception: a message alone does not say which store call or pipeline failed.
                _log.TickFailed(e);
            }
            try
            {
                // After a failed tick too, so that a failure that repeats does not spin.
                await Task.Delay(_options.TickInterval, _time, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
        }
        // Shutting down: runs in flight are cancelled and go back to the queue for the next start.
        _stopping = true;
        foreach (var a in Active()) await a.Cancel.CancelAsync().ConfigureAwait(false);
        try
        {
            await WhenIdleAsync().WaitAsync(_options.StopGrace, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            await AbandonAsync().ConfigureAwait(false);
        }
    }

    // Runs that did not stop within the grace would stay "running" once the process exits, until the next start: each is
    // recorded failed now and its entry queued again, as a cancelled one is; what the run does later is not recorded.
    private async Task AbandonAsync()
    {
        foreach (var a in Active())
        {
            lock (_lock) _abandoned.Add(a.Run.QueueId);
            var runId = a.Run.QueueId;
            try
            {
                var entry = (await _store.ListQueueAsync([QueueState.Launched], CancellationToken.None).ConfigureAwait(false)).FirstOrDefault(q => q.QueueId == a.Run.QueueId);
                var error = $"The process stopped (trib serve was stopped) and this run did not end within {_options.StopGrace.TotalSeconds:0} s of being cancelled; "
                    + "tables kept their previous version, and the run is queued again for the next start.";
                if (entry?.RunId is { } id)
                {
                    runId = id;
                    await _runs.FailUnfinishedRunAsync(id, error, "still running when the process stopped", _time.GetUtcNow(), CancellationToken.None).ConfigureAwait(false);
                }
                await _store.UpdateQueueAsync(a.Run.QueueId, QueueState.Queued, null, CancellationToken.None).ConfigureAwait(false);
                if (a.Run.BackfillId is not null)
                    await _store.SetBackfillPartitionAsync(a.Run.BackfillId, a.Run.Partition!, PartitionRunStatus.Queued, null, CancellationToken.None).ConfigureAwait(false);
                _log.RunAbandoned(runId, a.Run.Pipeline, PartitionLabel(a.Run.Partition), _options.StopGrace.TotalSeconds);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Left launched: the next start recovers it as a dead process's.
                _log.RunNotRecorded(e, runId, a.Run.Pipeline);
            }
        }
    }

    /// <summary>One pass: schedules, sensors, backfills, then the queue; a daemon that does not lead (another process does) skips it.</summary>
    public async Task TickAsync(CancellationToken cancellationToken)
    {
        try
        {
            await TickOnceAsync(cancellationToken).ConfigureAwait(false);
            _health = new DaemonHealth(_time.GetUtcNow(), null, null);
        }
        catch (Exception e) when (!(e is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            _health = _health with { FailingSince = _health.FailingSince ?? _time.GetUtcNow(), Error = e.Message };
            throw;
        }
    }

    /// <summary>Whether the last tick completed, for <c>/api/health</c>: a daemon whose ticks fail launches nothing.</summary>
    public DaemonHealth Health => _health;

    private async Task TickOnceAsync(CancellationToken cancellationToken)
    {
        if (!await LeadAsync(cancellationToken).ConfigureAwait(false)) return;
        var pipelines = await _pipelines(cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        foreach (var p in pipelines)
        {
            // A paused pipeline's schedule and sensors do not tick; its cursors stay where they were.
            if (await IsPausedAsync(p.Name, cancellationToken).ConfigureAwait(false)) continue;
            if (p.Schedule is not null) await ScheduleAsync(p, null, now, cancellationToken).ConfigureAwait(false);
            for (var i = 0; i < p.Sensors.Count; i++) await SensorAsync(p, null, i, now, cancellationToken).ConfigureAwait(false);
            // Each group ticks on its own and queues runs of its assets only.
            foreach (var g in p.Groups)
            {
                if (g.Schedule is not null) await ScheduleAsync(p, g, now, cancellationToken).ConfigureAwait(false);
                for (var i = 0; i < g.Sensors.Count; i++) await SensorAsync(p, g, i, now, cancellationToken).ConfigureAwait(false);
            }
        }
        await AdvanceBackfillsAsync(cancellationToken).ConfigureAwait(false);
        await LaunchAsync(pipelines, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The queue entries this process executes now (launched, their runs not ended).</summary>
    public IReadOnlyList<QueuedRun> Executing => [.. Active().Select(a => a.Run)];

    /// <summary>The most runs this process executes at once (<see cref="DaemonOptions.MaxConcurrentRuns"/>).</summary>
    public int MaxConcurrentRuns => _options.MaxConcurrentRuns;

    /// <summary>True when this daemon led at its last tick: it is the one that ticks and launches queued runs.</summary>
    public bool IsLeader => _leading;

    private async Task<bool> LeadAsync(CancellationToken cancellationToken)
    {
        var leads = await _store.HoldLeadershipAsync(cancellationToken).ConfigureAwait(false);
        if (leads && !_leading)
        {
            _leading = true;
            // Said only on a take-over: a store of one process (SQLite) always leads, and that is no news.
            if (_followed) _log.LeadTaken();
            if (_recoverOnLead) await RecoverAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (leads && _recoverPending)
        {
            // The store is back after a run of this process could not be recorded: close it, as a take-over would.
            _recoverPending = false;
            await RecoverAsync(cancellationToken).ConfigureAwait(false);
        }
        else if (!leads && _leading)
        {
            // Another process may lead now and recover this one's launched runs: stop them, and leave their queue entries to it.
            _leading = false;
            _log.LeadLost();
            foreach (var a in Active()) await a.Cancel.CancelAsync().ConfigureAwait(false);
            await WhenIdleAsync().ConfigureAwait(false);
        }
        if (!leads) _followed = true;
        return leads;
    }

    /// <summary>Turns a pipeline's schedule and sensors off or on. Resuming does not run the ticks missed while paused.</summary>
    public async Task SetPausedAsync(string pipeline, bool paused, CancellationToken cancellationToken)
    {
        var spec = paused ? null : (await _pipelines(cancellationToken).ConfigureAwait(false)).FirstOrDefault(p => p.Name == pipeline);
        await SchedulePause.SetAsync(_store, pipeline, spec, paused, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when the pipeline's schedule and sensors are turned off.</summary>
    public Task<bool> IsPausedAsync(string pipeline, CancellationToken cancellationToken) => SchedulePause.IsPausedAsync(_store, pipeline, cancellationToken);

    /// <summary>Queues a run; returns its queue id.</summary>
    public async Task<string> SubmitAsync(string pipeline, string? partition, IReadOnlyDictionary<string, string> parameters, string trigger, int priority, CancellationToken cancellationToken,
        string? selection = null, bool fullRefresh = false)
    {
        var run = new QueuedRun(NewId("q"), pipeline, partition, trigger, priority, parameters, null, QueueState.Queued, null, _time.GetUtcNow(), 1, selection, fullRefresh);
        await _store.EnqueueAsync(run, cancellationToken).ConfigureAwait(false);
        _log.RunQueued(run.QueueId, pipeline, PartitionLabel(partition), trigger);
        return run.QueueId;
    }

    /// <summary>
    /// Starts a backfill of <paramref name="pipeline"/>'s partitions from <paramref name="from"/> to <paramref name="to"/>;
    /// with <paramref name="group"/>, of that partitioned group's partitions, each a run of the group's assets only.
    /// </summary>
    public async Task<string> StartBackfillAsync(PipelineSpec pipeline, string from, string to, int concurrency, IReadOnlyDictionary<string, string> parameters, CancellationToken cancellationToken,
        string? group = null)
    {
        var partitions = BackfilledPartitions(pipeline, group);
        if (concurrency < 1) throw new ArgumentOutOfRangeException(nameof(concurrency), concurrency, "a backfill runs at least one partition at a time.");
        var keys = new PartitionScheme(partitions).Range(from, to, _time.GetUtcNow()).Select(k => k.Key).ToList();
        var backfill = new BackfillRecord(NewId("b"), pipeline.Name, BackfillStatus.Running, concurrency, parameters, _time.GetUtcNow(), null, group);
        await _store.CreateBackfillAsync(backfill, keys, cancellationToken).ConfigureAwait(false);
        _log.BackfillStarted(backfill.BackfillId, pipeline.Name, group is null ? "" : $" group {group}", keys.Count, keys[0], keys[^1], concurrency);
        return backfill.BackfillId;
    }

    // The scheme a backfill walks: the pipeline's partitions, or the named group's; an error says which groups can be backfilled.
    private static PartitionsSpec BackfilledPartitions(PipelineSpec pipeline, string? group)
    {
        var partitioned = pipeline.Groups.Where(g => g.Partitions is not null).Select(g => g.Name).ToList();
        var choose = partitioned.Count == 0 ? "" : $" Its partitioned groups: {string.Join(", ", partitioned)}.";
        if (group is null)
            return pipeline.Partitions ?? throw new ArgumentException(partitioned.Count == 0
                ? $"pipeline '{pipeline.Name}' has no partitions to backfill; add 'partitions:' to it."
                : $"pipeline '{pipeline.Name}' has no partitions of its own; backfill one of its partitioned groups with --group NAME.{choose}");
        var spec = pipeline.Groups.FirstOrDefault(g => g.Name == group)
            ?? throw new ArgumentException($"pipeline '{pipeline.Name}' has no group '{group}'.{choose}");
        return spec.Partitions ?? throw new ArgumentException($"group '{group}' of pipeline '{pipeline.Name}' has no partitions to backfill; add 'partitions:' to it.{choose}");
    }

    /// <summary>Cancels a backfill: nothing more is launched, and its running partitions are cancelled.</summary>
    public async Task CancelBackfillAsync(string backfillId, CancellationToken cancellationToken)
    {
        var backfill = await _store.GetBackfillAsync(backfillId, cancellationToken).ConfigureAwait(false) ?? throw new ArgumentException($"no backfill '{backfillId}'.");
        if (backfill.Status != BackfillStatus.Running) return;
        await _store.SetBackfillStatusAsync(backfillId, BackfillStatus.Cancelled, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        foreach (var p in await _store.GetBackfillPartitionsAsync(backfillId, cancellationToken).ConfigureAwait(false))
            if (p.Status is PartitionRunStatus.Pending or PartitionRunStatus.Queued)
                await _store.SetBackfillPartitionAsync(backfillId, p.Key, PartitionRunStatus.Cancelled, null, cancellationToken).ConfigureAwait(false);
        foreach (var q in await _store.ListQueueAsync([QueueState.Queued], cancellationToken).ConfigureAwait(false))
            if (q.BackfillId == backfillId) await _store.UpdateQueueAsync(q.QueueId, QueueState.Cancelled, null, cancellationToken).ConfigureAwait(false);
        foreach (var a in Active().Where(a => a.Run.BackfillId == backfillId)) await a.Cancel.CancelAsync().ConfigureAwait(false);
    }

    /// <summary>Runs a finished backfill's failed (and cancelled) partitions again.</summary>
    public async Task RetryFailedAsync(string backfillId, CancellationToken cancellationToken)
    {
        var backfill = await _store.GetBackfillAsync(backfillId, cancellationToken).ConfigureAwait(false) ?? throw new ArgumentException($"no backfill '{backfillId}'.");
        if (backfill.Status == BackfillStatus.Running) throw new InvalidOperationException($"backfill {backfillId} is still running.");
        foreach (var p in await _store.GetBackfillPartitionsAsync(backfillId, cancellationToken).ConfigureAwait(false))
            if (p.Status is PartitionRunStatus.Failed or PartitionRunStatus.Cancelled)
                await _store.SetBackfillPartitionAsync(backfillId, p.Key, PartitionRunStatus.Pending, null, cancellationToken).ConfigureAwait(false);
        await _store.SetBackfillStatusAsync(backfillId, BackfillStatus.Running, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Cancels a queued or running run by queue id.</summary>
    public async Task CancelAsync(string queueId, CancellationToken cancellationToken)
    {
        if (Active().FirstOrDefault(a => a.Run.QueueId == queueId) is { Cancel: { } cancel }) await cancel.CancelAsync().ConfigureAwait(false);
        else await _store.UpdateQueueAsync(queueId, QueueState.Cancelled, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Completes when no run started by this daemon is executing.</summary>
    public Task WhenIdleAsync() => Task.WhenAll(Active().Select(a => a.Task));

    /// <summary>
    /// After a restart: a queue entry left launched by a dead process is finished if its run completed every step, else
    /// requeued when it belongs to a backfill or its pipeline's retries allow, else failed.
    /// </summary>
    public async Task RecoverAsync(CancellationToken cancellationToken)
    {
        var pipelines = ByName(await _pipelines(cancellationToken).ConfigureAwait(false));
        foreach (var q in await _store.ListQueueAsync([QueueState.Launched], cancellationToken).ConfigureAwait(false))
        {
            if (Active().Any(a => a.Run.QueueId == q.QueueId)) continue;
            var run = q.RunId is null ? null : await _runs.GetRunAsync(q.RunId, cancellationToken).ConfigureAwait(false);
            var steps = run is null ? [] : await _runs.GetStepsAsync(run.RunId, cancellationToken).ConfigureAwait(false);
            var completed = run is not null && (run.Status == RunStatus.Succeeded || (steps.Count > 0 && steps.All(s => s.Status == StepStatus.Succeeded)));
            await _store.UpdateQueueAsync(q.QueueId, QueueState.Done, null, cancellationToken).ConfigureAwait(false);
            if (completed)
            {
                if (q.BackfillId is not null) await _store.SetBackfillPartitionAsync(q.BackfillId, q.Partition!, PartitionRunStatus.Succeeded, q.RunId, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var retries = pipelines.TryGetValue(q.Pipeline, out var spec) ? spec.Retry.MaxRetries : 0;
            if (run is not null) await CloseInterruptedAsync(run, spec, cancellationToken).ConfigureAwait(false);
            if (q.BackfillId is not null || q.Attempt <= retries)
            {
                _log.RunRequeued(q.RunId ?? q.QueueId, q.Pipeline, PartitionLabel(q.Partition));
                await _store.EnqueueAsync(q with { QueueId = NewId("q"), State = QueueState.Queued, RunId = null, Attempt = q.Attempt + 1 }, cancellationToken).ConfigureAwait(false);
                if (q.BackfillId is not null) await _store.SetBackfillPartitionAsync(q.BackfillId, q.Partition!, PartitionRunStatus.Queued, null, cancellationToken).ConfigureAwait(false);
            }
            else if (q.BackfillId is not null)
            {
                await _store.SetBackfillPartitionAsync(q.BackfillId, q.Partition!, PartitionRunStatus.Failed, q.RunId, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    // A recovered run still "running" is closed as failed before it is requeued or given up, with its alert: sent by the
    // process whose update closed it (another process that closed it first alerted), and not again for a run of this
    // process that alerted when it ended without the store.
    private async Task CloseInterruptedAsync(RunRecord run, PipelineSpec? spec, CancellationToken cancellationToken)
    {
        bool known;
        (string Error, bool Alerted) own;
        lock (_lock) known = _unrecorded.Remove(run.RunId, out own);
        var error = known ? own.Error : RunFailures.ProcessDied;
        if (!await _runs.FailUnfinishedRunAsync(run.RunId, error, known ? own.Error : RunFailures.ProcessDiedStep, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false)
            || (known && own.Alerted) || spec is null) return;
        await AbandonedRuns.AlertAsync(_runs, run.RunId, known ? own.Error : FailureAlerts.ProcessStopped, _ => spec, _alerts, cancellationToken).ConfigureAwait(false);
    }

    private async Task ScheduleAsync(PipelineSpec p, GroupSpec? group, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var schedule = group is null ? p.Schedule! : group.Schedule!;
        var kind = group is null ? "schedule" : $"schedule:{group.Name}";
        var label = Label(group, "schedule");
        var cursorName = group is null ? $"schedule:{p.Name}" : $"schedule:{p.Name}:{group.Name}";
        var cursor = await _store.GetCursorAsync(cursorName, cancellationToken).ConfigureAwait(false);
        // A schedule seen for the first time starts from now: it does not run its past.
        var last = cursor is null ? now : DateTimeOffset.Parse(cursor, CultureInfo.InvariantCulture);
        var due = new CronSchedule(schedule).Due(last, now);
        await _store.SetCursorAsync(cursorName, now.ToString("O", CultureInfo.InvariantCulture), now, cancellationToken).ConfigureAwait(false);
        if (due.Count == 0) return;
        var latest = due[^1];
        var onTime = now - latest <= _options.MissedAfter;
        foreach (var tick in due.Take(due.Count - 1))
            await Tick(kind, label, p.Name, tick, TickStatus.Skipped, "missed while the daemon was down; only the latest missed tick runs", null, cancellationToken).ConfigureAwait(false);
        if (!onTime && schedule.CatchUp == CatchUpPolicy.Skip)
        {
            await Tick(kind, label, p.Name, latest, TickStatus.Skipped, "missed while the daemon was down (catch_up: skip)", null, cancellationToken).ConfigureAwait(false);
            return;
        }
        // A partitioned pipeline's (or group's) schedule materializes the latest complete partition at the tick, each
        // static key's: one run per partition, as a backfill of that window would queue.
        var partitions = LatestPartitions(group?.Partitions ?? p.Partitions, latest);
        foreach (var partition in partitions)
        {
            var at = $"tick {Local(latest, schedule.Timezone)}{(partitions.Count > 1 ? $", partition {partition}" : "")}";
            if (NoPartitionYet(p, partition, latest) is { } wait)
            {
                await Tick(kind, label, p.Name, latest, TickStatus.Skipped, $"{at}: {wait}", null, cancellationToken).ConfigureAwait(false);
                continue;
            }
            // Dagster's run key: a tick whose run is still waiting in the queue would only repeat it.
            if (await QueuedTwinAsync(p.Name, partition, group?.Selection, cancellationToken).ConfigureAwait(false) is { } twin)
            {
                await Tick(kind, label, p.Name, latest, TickStatus.Skipped, $"{at}: the same run is already queued ({twin})", null, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var id = await SubmitAsync(p.Name, partition, new Dictionary<string, string>(), "schedule", 10, cancellationToken, group?.Selection).ConfigureAwait(false);
            await Tick(kind, label, p.Name, latest, TickStatus.Requested, onTime ? at : $"catch-up of the missed {at}", id, cancellationToken).ConfigureAwait(false);
        }
    }

    // A queued (not yet launched) run of the same pipeline, selection and partition with default params, outside any backfill.
    private async Task<string?> QueuedTwinAsync(string pipeline, string? partition, string? selection, CancellationToken cancellationToken) =>
        (await _store.ListQueueAsync([QueueState.Queued], cancellationToken).ConfigureAwait(false))
            .FirstOrDefault(q => q.Pipeline == pipeline && q.Partition == partition && q.Selection == selection && q.BackfillId is null && q.Params.Count == 0)?.QueueId;

    // No partition (null) where there are none: an unpartitioned pipeline, or none complete yet (NoPartitionYet says which runs).
    private static List<string?> LatestPartitions(PartitionsSpec? partitions, DateTimeOffset at) =>
        partitions is not null && new PartitionScheme(partitions).Latest(at) is { Count: > 0 } latest ? latest.Select(k => (string?)k.Key).ToList() : [null];

    // A pipeline partitioned as a whole cannot run without a partition (PartitionedPipelines.CheckWholeRun): until its
    // first window ends a tick has nothing to run, and queuing one would only fail at launch and alert.
    private static string? NoPartitionYet(PipelineSpec p, string? partition, DateTimeOffset at)
    {
        if (partition is not null) return null;
        try
        {
            PartitionedPipelines.CheckWholeRun(p, at);
            return null;
        }
        catch (WholeRunRefusedException)
        {
            return "no partition is complete yet, so nothing runs until the first one's window ends";
        }
    }

    private async Task SensorAsync(PipelineSpec p, GroupSpec? group, int index, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var sensor = group is null ? p.Sensors[index] : group.Sensors[index];
        var name = group is null ? $"{sensor.Type}#{index + 1}" : $"{group.Name}:{sensor.Type}#{index + 1}";
        var key = $"sensor:{p.Name}:{name}";
        var label = Label(group, sensor.Describe());
        var evaluated = await _store.GetCursorAsync(key + ":evaluated", cancellationToken).ConfigureAwait(false);
        if (evaluated is not null && now - DateTimeOffset.Parse(evaluated, CultureInfo.InvariantCulture) < sensor.Interval) return;
        await _store.SetCursorAsync(key + ":evaluated", now.ToString("O", CultureInfo.InvariantCulture), now, cancellationToken).ConfigureAwait(false);
        var cursor = await _store.GetCursorAsync(key, cancellationToken).ConfigureAwait(false);
        SensorOutcome outcome;
        using (var timeout = new CancellationTokenSource(_options.SensorTimeout, _time))
        using (var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token))
        {
            try
            {
                outcome = await _sensors.EvaluateAsync(sensor, cursor, now, linked.Token).WaitAsync(linked.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (timeout.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
            {
                await Tick($"sensor:{name}", label, p.Name, now, TickStatus.Failed, $"evaluation timed out after {_options.SensorTimeout.TotalSeconds:0}s", null, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                await Tick($"sensor:{name}", label, p.Name, now, TickStatus.Failed, e.Message, null, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        if (outcome.Cursor is not null && outcome.Cursor != cursor) await _store.SetCursorAsync(key, outcome.Cursor, now, cancellationToken).ConfigureAwait(false);
        // A partitioned group's sensor, like its schedule, materializes the latest complete partition (each static key's).
        var partitions = LatestPartitions(group?.Partitions ?? p.Partitions, now);
        if (outcome.Alert) await _alerts.SendAsync(p, $"{p.Name}: freshness alert: {outcome.Reason}", cancellationToken).ConfigureAwait(false);
        if (!outcome.RequestRun)
        {
            await Tick($"sensor:{name}", label, p.Name, now, outcome.Alert ? TickStatus.Alert : TickStatus.Skipped, outcome.Reason, null, cancellationToken).ConfigureAwait(false);
            return;
        }
        foreach (var partition in partitions)
        {
            var reason = partitions.Count > 1 ? $"{outcome.Reason} (partition {partition})" : outcome.Reason;
            if (NoPartitionYet(p, partition, now) is { } wait)
            {
                await Tick($"sensor:{name}", label, p.Name, now, outcome.Alert ? TickStatus.Alert : TickStatus.Skipped, $"{reason}; {wait}", null, cancellationToken).ConfigureAwait(false);
                continue;
            }
            var queued = await SubmitAsync(p.Name, partition, new Dictionary<string, string>(), "sensor", 5, cancellationToken, group?.Selection).ConfigureAwait(false);
            await Tick($"sensor:{name}", label, p.Name, now, TickStatus.Requested, reason, queued, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task AdvanceBackfillsAsync(CancellationToken cancellationToken)
    {
        foreach (var b in (await _store.ListBackfillsAsync(cancellationToken).ConfigureAwait(false)).Where(b => b.Status == BackfillStatus.Running))
        {
            var partitions = await _store.GetBackfillPartitionsAsync(b.BackfillId, cancellationToken).ConfigureAwait(false);
            var inFlight = partitions.Count(p => p.Status is PartitionRunStatus.Queued or PartitionRunStatus.Running);
            foreach (var p in partitions.Where(p => p.Status == PartitionRunStatus.Pending).Take(Math.Max(0, b.Concurrency - inFlight)))
            {
                // A group's backfill runs the group's assets only, as 'trib run P --select group:G --partition KEY' does.
                var run = new QueuedRun(NewId("q"), b.Pipeline, p.Key, "backfill", 0, b.Params, b.BackfillId, QueueState.Queued, null, _time.GetUtcNow(), 1,
                    b.Group is null ? null : AssetGraph.GroupPrefix + b.Group);
                await _store.EnqueueAsync(run, cancellationToken).ConfigureAwait(false);
                _log.RunQueued(run.QueueId, run.Pipeline, PartitionLabel(run.Partition), run.Trigger);
                await _store.SetBackfillPartitionAsync(b.BackfillId, p.Key, PartitionRunStatus.Queued, null, cancellationToken).ConfigureAwait(false);
            }
            if (partitions.All(p => p.Status is PartitionRunStatus.Succeeded or PartitionRunStatus.Failed or PartitionRunStatus.Cancelled))
            {
                var status = partitions.All(p => p.Status == PartitionRunStatus.Succeeded) ? BackfillStatus.Succeeded : BackfillStatus.Failed;
                await _store.SetBackfillStatusAsync(b.BackfillId, status, _time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
                if (_log.IsEnabled(LogLevel.Information))
                    _log.BackfillEnded(b.BackfillId, b.Pipeline, status.ToString().ToLowerInvariant());
            }
        }
    }

    private async Task LaunchAsync(IReadOnlyList<PipelineSpec> pipelines, CancellationToken cancellationToken)
    {
        var specs = ByName(pipelines);
        foreach (var q in await _store.ListQueueAsync([QueueState.Queued], cancellationToken).ConfigureAwait(false))
        {
            var active = Active();
            if (active.Count >= _options.MaxConcurrentRuns) return;
            // One run per pipeline at a time, or per pipeline and partition for partitioned runs.
            if (active.Any(a => a.Run.Pipeline == q.Pipeline && a.Run.Partition == q.Partition)) continue;
            if (q.BackfillId is not null && (await _store.GetBackfillAsync(q.BackfillId, cancellationToken).ConfigureAwait(false))?.Status != BackfillStatus.Running) continue;
            // Claimed, not just set: of two daemons that both see the entry queued, one launches it.
            if (!await _store.ClaimQueuedAsync(q.QueueId, cancellationToken).ConfigureAwait(false)) continue;
            if (q.BackfillId is not null) await _store.SetBackfillPartitionAsync(q.BackfillId, q.Partition!, PartitionRunStatus.Running, null, cancellationToken).ConfigureAwait(false);
            var cancel = new CancellationTokenSource();
            lock (_lock) _active[q.QueueId] = (q, Execute(q, specs.GetValueOrDefault(q.Pipeline), cancel), cancel);
        }
    }

    private async Task Execute(QueuedRun q, PipelineSpec? spec, CancellationTokenSource cancel)
    {
        await Task.Yield();
        RunResult? result = null;
        LiveRun? holder = null;
        var launched = _time.GetTimestamp();
        try
        {
            result = await _launch(q, cancel.Token).ConfigureAwait(false);
            lock (_lock) _waiting.Remove(q.QueueId);
            _log.RunFinished(result.RunId, q.Pipeline, PartitionLabel(q.Partition), result.Status.ToString().ToLowerInvariant(),
                Math.Round(_time.GetElapsedTime(launched).TotalSeconds, 1), q.QueueId, q.Trigger, result is { Status: RunStatus.Failed, Error: { } error } ? $": {error}" : "");
        }
        catch (PipelineAlreadyRunningException e)
        {
            // Another process runs this pipeline (or partition): the entry waits in the queue for that run to end.
            holder = e.Holder;
        }
        catch (Exception e)
        {
            _log.RunNotStarted(e, q.Pipeline);
        }
        var alerted = false;
        try
        {
            // Deposed: the leader that took over recovers this entry from the queue.
            if (!_leading) return;
            lock (_lock)
                if (_abandoned.Contains(q.QueueId)) return;
            if (holder is not null)
            {
                await _store.UpdateQueueAsync(q.QueueId, QueueState.Queued, null, CancellationToken.None).ConfigureAwait(false);
                if (q.BackfillId is not null) await _store.SetBackfillPartitionAsync(q.BackfillId, q.Partition!, PartitionRunStatus.Queued, null, CancellationToken.None).ConfigureAwait(false);
                bool first;
                lock (_lock) first = _waiting.Add(q.QueueId);
                // Once per wait: the entry is tried again at every tick until the other run ends.
                if (first) _log.RunWaits(q.QueueId, q.Pipeline, PartitionLabel(q.Partition), QueueWaits.Describe(holder.RunId, holder.Trigger, holder.StartedAt));
                return;
            }
            // Before the bookkeeping, which needs the store that may be what failed the run.
            if (result?.Status != RunStatus.Succeeded && result?.Status != RunStatus.Cancelled && spec is not null)
            {
                await _alerts.SendAsync(spec, FailureAlerts.RunFailed(q.Pipeline, q.Partition, result, q.QueueId), CancellationToken.None).ConfigureAwait(false);
                alerted = true;
            }
            if (_stopping && result?.Status == RunStatus.Cancelled)
            {
                await _store.UpdateQueueAsync(q.QueueId, QueueState.Queued, result.RunId, CancellationToken.None).ConfigureAwait(false);
                if (q.BackfillId is not null) await _store.SetBackfillPartitionAsync(q.BackfillId, q.Partition!, PartitionRunStatus.Queued, null, CancellationToken.None).ConfigureAwait(false);
                return;
            }
            await _store.UpdateQueueAsync(q.QueueId, QueueState.Done, result?.RunId, CancellationToken.None).ConfigureAwait(false);
            if (q.BackfillId is not null)
            {
                var status = result?.Status switch
                {
                    RunStatus.Succeeded => PartitionRunStatus.Succeeded,
                    RunStatus.Cancelled => PartitionRunStatus.Cancelled,
                    _ => PartitionRunStatus.Failed,
                };
                await _store.SetBackfillPartitionAsync(q.BackfillId, q.Partition!, status, result?.RunId, CancellationToken.None).ConfigureAwait(false);
            }
        }
        catch (RunStoreUnavailableException e)
        {
            // The entry stays launched: once the store answers, this daemon's next leading tick recovers it like a dead process's.
            _log.RunNotRecorded(e, result?.RunId ?? q.QueueId, q.Pipeline);
            if (result is not null) lock (_lock) _unrecorded[result.RunId] = (result.Error ?? e.Message, alerted);
            _recoverPending = true;
        }
        finally
        {
            lock (_lock) _active.Remove(q.QueueId);
            cancel.Dispose();
        }
    }

    // How a log line names a run's partition: after the pipeline, in brackets.
    private static string PartitionLabel(string? partition) => partition is null ? "" : $" [{partition}]";

    // Two specs of one name (files the validator refuses) must not stop every other pipeline: the first is used, as a run's lookup does.
    private static Dictionary<string, PipelineSpec> ByName(IReadOnlyList<PipelineSpec> pipelines)
    {
        var byName = new Dictionary<string, PipelineSpec>(StringComparer.Ordinal);
        foreach (var p in pipelines) byName.TryAdd(p.Name, p);
        return byName;
    }

    private List<(QueuedRun Run, Task Task, CancellationTokenSource Cancel)> Active()
    {
        lock (_lock) return [.. _active.Values];
    }

    private Task Tick(string kind, string name, string pipeline, DateTimeOffset at, TickStatus status, string reason, string? queueId, CancellationToken cancellationToken) =>
        _store.AddTickAsync(new TickRecord(0, kind, pipeline, name, at, status, reason, queueId), cancellationToken);

    /// <summary>What the tick history shows a reader: the schedule or what the sensor watches, after its group as the Schedules page lists them.</summary>
    private static string Label(GroupSpec? group, string what) => group is null ? what : $"{group.Name}: {what}";

    private static string Local(DateTimeOffset instant, string zone) =>
        TimeZoneInfo.ConvertTime(instant, TimeZoneInfo.FindSystemTimeZoneById(zone)).ToString("yyyy-MM-dd HH:mm zzz", CultureInfo.InvariantCulture);

    private string NewId(string prefix) => $"{prefix}{_time.GetUtcNow():yyyyMMddHHmmss}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(3))}";
}
