using Tributary.Cli.Output;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Tests.Output;

public sealed class RunProgressTests
{
    [Fact]
    public void Observe_NotATerminal_PrefixesAStepsLinesWithItsNameOnce()
    {
        var text = new StringWriter();
        var progress = new RunProgress(text, live: false);
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

        progress.Observe(new RunEvent("r", at, RunEventKind.StepStarted, "orders", "orders (source.csv) started"));
        progress.Observe(new RunEvent("r", at, RunEventKind.Log, "orders", "no new files (1 already loaded)"));
        progress.Observe(new RunEvent("r", at, RunEventKind.StepRetry, "orders", "attempt 1 failed: boom; retrying in 1s"));
        progress.Observe(new RunEvent("r", at, RunEventKind.StepSucceeded, "orders", "orders: 0 rows in 0.01s"));
        progress.Observe(new RunEvent("r", at, RunEventKind.RunEnded, null, "run succeeded in 0.1s"));

        Assert.Equal(
        [
            "orders (source.csv) started",
            "orders: no new files (1 already loaded)",
            "orders: attempt 1 failed: boom; retrying in 1s",
            "orders: 0 rows in 0.01s",
            "run succeeded in 0.1s",
        ], text.ToString().Split(Environment.NewLine, StringSplitOptions.RemoveEmptyEntries).Select(l => l[9..]));
    }
}
