using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Execution;

/// <summary>
/// Concurrency pools (at most a pool's limit of its steps at once) and the run-alone safety net (a step that ran out of
/// the warehouse's memory beside others gets one more attempt with the warehouse to itself, outside its retries).
/// </summary>
public sealed class StepPoolTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Pool_OfOne_NeverRunsTwoOfItsStepsAtOnce()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var pooled = ProbeState.Create();
        var free = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            pools: { heavy: 1 }
            components:
              - { id: a, type: test.probe, pool: heavy, with: { probe: {{pooled.Id}}, hold_ms: 100 } }
              - { id: b, type: test.probe, pool: heavy, with: { probe: {{pooled.Id}}, hold_ms: 100 } }
              - { id: c, type: test.probe, pool: heavy, with: { probe: {{pooled.Id}}, hold_ms: 100 } }
              - { id: d, type: test.probe, with: { probe: {{free.Id}} } }
            """, cancellationToken: Ct);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(1, pooled.MaxRunning);
        // One after another: each pooled step ends before the next starts.
        Assert.Equal(["a#1 start", "a#1 end", "b#1 start", "b#1 end", "c#1 start", "c#1 end"], pooled.Log);
    }

    [Fact]
    public async Task OutOfMemory_BesideAnotherStep_RunsAgainAloneOnceTheOtherEnds_WithoutARetry()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        var run = h.RunAsync($$"""
            pipeline: p
            components:
              - { id: other, type: test.probe, with: { probe: {{probe.Id}}, await_release: true } }
              - { id: hungry, type: test.probe, with: { probe: {{probe.Id}}, out_of_memory_times: 1 } }
            """, cancellationToken: Ct);
        // The other step holds on until the hungry one has asked to run alone.
        await ReleaseOnceAskedToRunAloneAsync(h, probe);
        var result = await run;

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal(2, result.Steps.Single(s => s.Asset == "hungry").Attempts);
        Assert.DoesNotContain(h.Events, e => e.Kind == RunEventKind.StepRetry);
        var alone = Assert.Single(h.Events, e => e.Kind == RunEventKind.StepRunAlone);
        Assert.Equal("hungry", alone.Asset);
        Assert.StartsWith("attempt 1 ran out of the warehouse's memory beside other: planned out of memory 1 of 1; running it again alone", alone.Message, StringComparison.Ordinal);
        // The second attempt started only after the other step ended.
        var log = probe.Log.ToList();
        Assert.True(log.IndexOf("other#1 end") < log.IndexOf("hungry#2 start"), string.Join(", ", log));
        Assert.Equal(1, await h.ScalarAsync("SELECT count(*) FROM hungry"));
    }

    [Fact]
    public async Task OutOfMemory_WhileWaitingToRunAlone_NoOtherStepStarts()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        // 'later' could start once 'first' ends, but 'hungry' waits to run alone by then: 'later' starts after it.
        var run = h.RunAsync($$"""
            pipeline: p
            components:
              - { id: first, type: test.probe, with: { probe: {{probe.Id}}, await_release: true } }
              - { id: hungry, type: test.probe, with: { probe: {{probe.Id}}, out_of_memory_times: 1 } }
              - { id: later, type: test.probe, inputs: [first], with: { probe: {{probe.Id}} } }
            """, cancellationToken: Ct);
        await ReleaseOnceAskedToRunAloneAsync(h, probe);
        var result = await run;

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var log = probe.Log.ToList();
        Assert.True(log.IndexOf("hungry#2 end") < log.IndexOf("later#1 start"), string.Join(", ", log));
        Assert.True(log.IndexOf("first#1 end") < log.IndexOf("hungry#2 start"), string.Join(", ", log));
    }

    [Fact]
    public async Task OutOfMemory_AloneAgain_FailsAsAnyFailureThroughItsRetries()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            retry: { max_retries: 1, delay: 1ms }
            components:
              - { id: other, type: test.probe, with: { probe: {{probe.Id}} } }
              - { id: hungry, type: test.probe, with: { probe: {{probe.Id}}, out_of_memory_times: 3 } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        // One attempt beside 'other', one alone, one retry of the policy's.
        Assert.Equal(3, result.Steps.Single(s => s.Asset == "hungry").Attempts);
        Assert.Single(h.Events, e => e.Kind == RunEventKind.StepRunAlone);
        Assert.Single(h.Events, e => e.Kind == RunEventKind.StepRetry);
        Assert.Equal("hungry (test.probe) failed: planned out of memory 3 of 3", result.Error);
    }

    [Fact]
    public async Task OutOfMemory_WithNoOtherStep_IsAnOrdinaryFailure()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        var probe = ProbeState.Create();
        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: hungry, type: test.probe, with: { probe: {{probe.Id}}, out_of_memory_times: 1 } }
            """, cancellationToken: Ct);

        Assert.Equal(RunStatus.Failed, result.Status);
        Assert.Equal(1, result.Steps[0].Attempts);
        Assert.DoesNotContain(h.Events, e => e.Kind == RunEventKind.StepRunAlone);
    }

    // Bounded, so that a run that never asks fails its assertions instead of hanging.
    private static async Task ReleaseOnceAskedToRunAloneAsync(EngineHarness h, ProbeState probe)
    {
        for (var i = 0; i < 6000 && !HasEvent(h, RunEventKind.StepRunAlone); i++) await Task.Delay(10, Ct);
        probe.Release.SetResult();
    }

    private static bool HasEvent(EngineHarness h, RunEventKind kind)
    {
        lock (h.Events) return h.Events.Exists(e => e.Kind == kind);
    }
}
