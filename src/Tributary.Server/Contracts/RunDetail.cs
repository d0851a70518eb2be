using Tributary.Engine.Runs;

namespace Tributary.Server.Contracts;

/// <summary>One run with its steps, materializations and checks (<c>GET /api/runs/{id}</c>).</summary>
/// <param name="Run">The run.</param>
/// <param name="Steps">Its steps in plan order.</param>
/// <param name="Materializations">What it wrote.</param>
/// <param name="Checks">Its check results (a step's warnings are its non-blocking checks named <c>warning</c>).</param>
/// <param name="Warnings">
/// The warnings loading the pipeline gave where it ran, each at its line (an unset variable a step's <c>*_env</c> setting
/// names, an <c>on_failure</c> variable that would send no alert), the lines its log opens with; empty when none.
/// </param>
public sealed record RunDetail(RunView Run, IReadOnlyList<StepView> Steps, IReadOnlyList<MaterializationView> Materializations, IReadOnlyList<CheckView> Checks,
    IReadOnlyList<string> Warnings);

/// <summary>One step (one asset) of a run.</summary>
/// <param name="Asset">The asset it materializes.</param>
/// <param name="ComponentType">The component type.</param>
/// <param name="Status">Where it stands.</param>
/// <param name="Attempts">How many times it was tried.</param>
/// <param name="StartedAt">When it started, if it did.</param>
/// <param name="EndedAt">When it ended, if it did.</param>
/// <param name="Error">Why it failed, if it did.</param>
/// <param name="PeakRssBytes">The process's peak resident memory while the step ran, where measured (Linux).</param>
public sealed record StepView(string Asset, string ComponentType, StepStatus Status, int Attempts, DateTimeOffset? StartedAt, DateTimeOffset? EndedAt, string? Error, long? PeakRssBytes)
{
    internal static StepView Of(StepRecord s) => new(s.Asset, s.ComponentType, s.Status, s.Attempts, s.StartedAt, s.EndedAt, s.Error, s.PeakRssBytes);
}

/// <summary>One check result of a run.</summary>
/// <param name="Asset">The asset checked.</param>
/// <param name="Check">The check's name.</param>
/// <param name="Passed">Whether it passed.</param>
/// <param name="Blocking">Whether a failure fails the run.</param>
/// <param name="Detail">What it found.</param>
/// <param name="At">When it ran.</param>
public sealed record CheckView(string Asset, string Check, bool Passed, bool Blocking, string Detail, DateTimeOffset At)
{
    internal static CheckView Of(CheckRecord c) => new(c.Asset, c.Check, c.Passed, c.Blocking, c.Detail, c.At);
}
