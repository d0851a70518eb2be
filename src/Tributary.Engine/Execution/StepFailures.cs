using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Engine.Execution;

/// <summary>
/// Which failures of a step another attempt would meet again, so that the retry policy does not wait out its delays for
/// them (90 s under the templates' policy): decided where the failure happens, in process or on a worker of the cluster.
/// </summary>
public static class StepFailures
{
    /// <summary>
    /// True for a statement the engine refuses as written (a misspelled column, a syntax error; from a worker as
    /// <see cref="StatementRefusedException"/>, its engine's exception being unable to cross; also the warehouse's refusal of a
    /// partition whose table has another schema), a parameter the component
    /// refuses (<see cref="ArgumentException"/>), a plan that cannot be made, an input file or folder that is not
    /// there, and input data a component refuses as it is (<see cref="InputDataException"/>: too few rows for a model, too
    /// many rejected rows, a missing column), and a failure the component says another attempt would not mend
    /// (<see cref="RetryWillNotHelpException"/>: a webhook whose batches failed after their own retries). A file that is there but fails to read (cut short while still being written)
    /// may succeed later, as may I/O, locks, the network and memory.
    /// </summary>
    public static bool CannotSucceedAgain(Exception exception, IWarehouse warehouse) => exception switch
    {
        StatementRefusedException or InputDataException or RetryWillNotHelpException or ArgumentException or PlanException or FileNotFoundException or DirectoryNotFoundException => true,
        AggregateException many => many.InnerExceptions.Count > 0 && many.InnerExceptions.All(e => CannotSucceedAgain(e, warehouse)),
        _ => warehouse.IsStatementError(exception),
    };
}
