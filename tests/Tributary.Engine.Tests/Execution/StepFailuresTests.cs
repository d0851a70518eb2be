using Tributary.Core.Components;
using Tributary.Core.Warehousing;
using Tributary.Engine.Execution;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Execution;

/// <summary>
/// The verdict a worker of the cluster sends with a failure (AttemptFailure.CannotSucceedAgain) is this rule, as the
/// executor's own: not only a refused statement, but a missing file or a refused parameter too.
/// </summary>
public sealed class StepFailuresTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task CannotSucceedAgain_MissingFileRefusedParameterOrStatement_ButNotAFailureOfTheData()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        Exception? binder = null;
        try
        {
            await h.Warehouse.ExecuteAsync("SELECT no_such_column FROM (SELECT 1 AS a)", null, Ct);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            binder = e;
        }

        Assert.True(StepFailures.CannotSucceedAgain(new FileNotFoundException("no file matches 'data/x.csv'"), h.Warehouse));
        Assert.True(StepFailures.CannotSucceedAgain(new DirectoryNotFoundException("data/zendesk"), h.Warehouse));
        Assert.True(StepFailures.CannotSucceedAgain(new ArgumentException("set control to one of them"), h.Warehouse));
        Assert.True(StepFailures.CannotSucceedAgain(new StatementRefusedException("refused on w1"), h.Warehouse));
        Assert.True(StepFailures.CannotSucceedAgain(new InputDataException("6 customers have orders on or before 2025-01-01; the models need at least 10."), h.Warehouse));
        Assert.True(StepFailures.CannotSucceedAgain(Assert.IsAssignableFrom<Exception>(binder), h.Warehouse));
        Assert.True(StepFailures.CannotSucceedAgain(new RetryWillNotHelpException("nothing was delivered: 1 row(s) in 1 of 1 batch(es) could not be delivered"), h.Warehouse));
        Assert.True(StepFailures.CannotSucceedAgain(new AggregateException(new FileNotFoundException("a"), new ArgumentException("b")), h.Warehouse));
        Assert.False(StepFailures.CannotSucceedAgain(new AggregateException(new FileNotFoundException("a"), new InvalidOperationException("b")), h.Warehouse));
        Assert.False(StepFailures.CannotSucceedAgain(new InvalidDataException("line 7 is cut short"), h.Warehouse));
        Assert.False(StepFailures.CannotSucceedAgain(new InvalidOperationException("connection reset"), h.Warehouse));
        Assert.False(StepFailures.CannotSucceedAgain(new AggregateException(), h.Warehouse));
    }
}
