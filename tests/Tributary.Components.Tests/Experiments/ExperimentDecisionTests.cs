using Tributary.Components.Experiments;

namespace Tributary.Components.Tests.Experiments;

public sealed class ExperimentDecisionTests
{
    private static readonly ExperimentDecisionParameters Rules = new() { PrimaryMetric = "conversion", MinUnitsPerVariant = 100, MaxRisk = 0.005, MaxUnitsPerVariant = 10_000 };

    private static ExperimentDecision.ResultRow Row(string metric = "conversion", long units = 5000, double lift = 0.1, double seqLow = 0.02, double seqHigh = 0.18,
        double risk = 0.001, bool srm = false, string? guardrail = null) =>
        new("x", "B", metric, units, units, lift, lift - 0.05, lift + 0.05, true, seqLow, seqHigh, 0.99, risk, srm, srm ? 1e-6 : 0.5, guardrail, guardrail is null ? null : 0.02);

    [Fact]
    public void Decide_SequentialWinnerWithLowRisk_Ships()
    {
        var (decision, reasons) = ExperimentDecision.Decide(Rules, Row(), []);
        Assert.Equal("ship", decision);
        Assert.Equal(["conversion wins: lift +10.0%, confidence sequence [+2.0%, +18.0%]", "risk of shipping 0.10% is within max_risk"], reasons);
    }

    [Fact]
    public void Decide_SampleRatioMismatch_StopsBeforeAnythingElse()
    {
        var (decision, reasons) = ExperimentDecision.Decide(Rules, Row(srm: true), [Row("views", guardrail: "breached")]);
        Assert.Equal("stop", decision);
        Assert.Equal(["sample ratio mismatch (p = 1E-06): assignment or logging is broken, so no result can be trusted; fix it and restart"], reasons);
    }

    [Fact]
    public void Decide_GuardrailBreached_Stops()
    {
        var (decision, reasons) = ExperimentDecision.Decide(Rules, Row(), [Row("refunds", lift: -0.2, guardrail: "breached")]);
        Assert.Equal(("stop", "guardrail refunds breached: lift -20.0% [-25.0%, -15.0%]"), (decision, Assert.Single(reasons)));
    }

    [Fact]
    public void Decide_WinnerWithHighRisk_KeepsRunning()
    {
        var (decision, reasons) = ExperimentDecision.Decide(Rules, Row(risk: 0.02), []);
        Assert.Equal("keep_running", decision);
        Assert.Equal("risk of shipping 2.00% is above max_risk 0.50%", reasons[^1]);
    }

    [Fact]
    public void Decide_UnresolvedGuardrail_KeepsRunning()
    {
        var (decision, reasons) = ExperimentDecision.Decide(Rules, Row(), [Row("views", guardrail: "inconclusive")]);
        Assert.Equal(("keep_running", "guardrails not yet resolved: views"), (decision, reasons[^1]));
    }

    [Fact]
    public void Decide_SequentialLoser_Stops() =>
        Assert.Equal("stop", ExperimentDecision.Decide(Rules, Row(lift: -0.1, seqLow: -0.18, seqHigh: -0.02), []).Decision);

    [Fact]
    public void Decide_NoWinnerAtMaximumSample_StopsAsInconclusive()
    {
        var (decision, reasons) = ExperimentDecision.Decide(Rules, Row(units: 10_000, lift: 0.01, seqLow: -0.05, seqHigh: 0.07), []);
        Assert.Equal(("stop", "reached max_units_per_variant 10000: stop as inconclusive"), (decision, reasons[^1]));
    }

    [Fact]
    public void Decide_NoWinnerBeforeMaximum_KeepsRunning() =>
        Assert.Equal("keep_running", ExperimentDecision.Decide(Rules, Row(units: 5000, lift: 0.01, seqLow: -0.05, seqHigh: 0.07), []).Decision);
}
