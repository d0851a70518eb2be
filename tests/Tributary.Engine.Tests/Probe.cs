using System.Collections.Concurrent;
using System.ComponentModel;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Engine.Tests;

/// <summary>Shared observations of one test's probe components, keyed by a per-test id.</summary>
public sealed class ProbeState
{
    private static readonly ConcurrentDictionary<string, ProbeState> All = new();
    private int _running;
    private int _maxRunning;

    public string Id { get; } = Guid.NewGuid().ToString("N");
    public ConcurrentDictionary<string, int> Attempts { get; } = new();
    public TaskCompletionSource BlockedStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    public int MaxRunning => _maxRunning;
    /// <summary>The managed array a step with managed_mb held, once it has returned: alive until a collection finds it dead.</summary>
    public WeakReference? Managed { get; set; }
    /// <summary>"asset#attempt start" and "asset#attempt end", in the order the attempts started and ended.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    public static ProbeState Create()
    {
        var state = new ProbeState();
        All[state.Id] = state;
        return state;
    }

    public static ProbeState Get(string id) => All[id];

    public IDisposable Enter(string attempt)
    {
        Log.Enqueue(attempt + " start");
        var now = Interlocked.Increment(ref _running);
        int seen;
        while ((seen = _maxRunning) < now && Interlocked.CompareExchange(ref _maxRunning, now, seen) != seen) { }
        return new Exit(this, attempt);
    }

    private sealed class Exit(ProbeState state, string attempt) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.Decrement(ref state._running);
            state.Log.Enqueue(attempt + " end");
        }
    }
}

public sealed record ProbeParameters
{
    [Description("Id of the test's ProbeState.")]
    public required string Probe { get; init; }
    [Description("SELECT that builds the asset.")]
    public string Sql { get; init; } = "SELECT 1 AS v";
    [Description("Attempts that fail before one succeeds.")]
    public int FailTimes { get; init; }
    [Description("What a planned failure is: invalid_operation (the default), file_not_found, argument or input_data.")]
    public string FailWith { get; init; } = "invalid_operation";
    [Description("Milliseconds to hold the step open, to overlap with others.")]
    public int HoldMs { get; init; }
    [Description("Create the staging table, then wait until cancelled.")]
    public bool Block { get; init; }
    [Description("The first attempt builds its staging table, then waits for the test's Release before committing.")]
    public bool HoldFirst { get; init; }
    [Description("Megabytes of native memory to touch and hold while the step runs.")]
    public int AllocateMb { get; init; }
    [Description("Megabytes of managed memory the step holds until it returns (ProbeState.Managed watches it).")]
    public int ManagedMb { get; init; }
    [Description("Attempts that fail as the warehouse running out of memory (ProbeOutOfMemoryException) before one succeeds.")]
    public int OutOfMemoryTimes { get; init; }
    [Description("Every attempt waits for the test's Release before it writes.")]
    public bool AwaitRelease { get; init; }
    [Description("Metadata returned after the write: none (the default), non_finite (NaN and infinities, as an AUC on a holdout of one class) or unserializable (a value JSON cannot hold).")]
    public string Metadata { get; init; } = "none";
}

/// <summary>What a <see cref="ProbeWarehouse"/> classifies as the warehouse running out of memory.</summary>
public sealed class ProbeOutOfMemoryException(string message) : Exception(message);

/// <summary>A component whose behaviour tests choose: fail N times, hold, or block mid-write until cancelled.</summary>
public sealed class ProbeComponent : IComponent<ProbeParameters>
{
    public static string TypeName => "test.probe";
    public static string Description => "Test component.";
    public static InputArity Inputs => InputArity.Any;

    public ComponentPlan Plan(ProbeParameters parameters, PlanContext context) => ComponentPlan.Unknown;

    public async Task<Materialization> MaterializeAsync(ProbeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var state = ProbeState.Get(p.Probe);
        var attempt = state.Attempts.AddOrUpdate(context.Asset, 1, (_, n) => n + 1);
        using var _ = state.Enter($"{context.Asset}#{attempt}");
        using var held = new NativeBlock(p.AllocateMb * 1024L * 1024L);
        var managed = p.ManagedMb > 0 ? new byte[p.ManagedMb << 20] : null;
        if (managed is not null)
        {
            for (var i = 0; i < managed.Length; i += 4096) managed[i] = 1;
            state.Managed = new WeakReference(managed);
        }
        if (p.HoldMs > 0) await Task.Delay(p.HoldMs, cancellationToken);
        if (attempt <= p.FailTimes)
        {
            var message = $"planned failure {attempt} of {p.FailTimes}";
            throw p.FailWith switch
            {
                "file_not_found" => new FileNotFoundException(message),
                "argument" => new ArgumentException(message),
                "input_data" => new InputDataException(message),
                _ => new InvalidOperationException(message),
            };
        }
        if (attempt <= p.OutOfMemoryTimes) throw new ProbeOutOfMemoryException($"planned out of memory {attempt} of {p.OutOfMemoryTimes}");
        if (p.AwaitRelease) await state.Release.Task.WaitAsync(cancellationToken);
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset, async (b, ct) =>
        {
            await b.CreateAsSelectAsync(p.Sql, null, ct);
            if (p.HoldFirst && attempt == 1)
            {
                state.BlockedStarted.TrySetResult();
                await state.Release.Task.WaitAsync(ct);
            }
            if (p.Block)
            {
                state.BlockedStarted.TrySetResult();
                await Task.Delay(Timeout.Infinite, ct);
            }
        }, cancellationToken);
        if (managed is not null)
        {
            // Written last as identity writes its graph: rows streamed from the array, each stream appended on a thread of its own.
            IEnumerable<object?[]> Rows(int from) { for (var i = from; i < from + 2; i++) yield return [(long)managed[i]]; }
            rows = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendInParallelAsync([("v", DataKind.Integer)], [Rows(0), Rows(2)], ct),
                cancellationToken).ConfigureAwait(false);
            // Dropped as the step ends: this async method's locals (and the closure the append threads' iterators share) are
            // cleared by the runtime only after the continuations its completion runs inline have returned, which races with
            // the executor's collection on another thread. So the test asserts that collection, not the runtime's timing.
            managed = null;
        }
        return p.Metadata switch
        {
            "non_finite" => new Materialization(rows, new Dictionary<string, object?>
            {
                ["auc"] = double.NaN, ["lift"] = double.PositiveInfinity, ["loss"] = float.NegativeInfinity, ["scores"] = new[] { 0.5, double.NaN }, ["rows"] = rows,
            }),
            "unserializable" => new Materialization(rows, new Dictionary<string, object?> { ["model"] = typeof(ProbeComponent), ["rows"] = rows }),
            _ => Materialization.Of(rows),
        };
    }
}

/// <summary>Native memory written page by page (so it is resident), freed on dispose.</summary>
internal sealed class NativeBlock : IDisposable
{
    private readonly nint _start;

    public NativeBlock(long bytes)
    {
        if (bytes <= 0) return;
        _start = System.Runtime.InteropServices.Marshal.AllocHGlobal((nint)bytes);
        for (long i = 0; i < bytes; i += 4096) System.Runtime.InteropServices.Marshal.WriteByte(_start + (nint)i, 1);
    }

    public void Dispose()
    {
        if (_start != 0) System.Runtime.InteropServices.Marshal.FreeHGlobal(_start);
    }
}
