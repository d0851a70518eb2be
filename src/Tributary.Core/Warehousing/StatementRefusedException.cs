namespace Tributary.Core.Warehousing;

/// <summary>
/// A step failed in a way that running it again cannot change: above all a warehouse refusing its statement as written
/// (<see cref="IWarehouse.IsStatementError"/>), or a parameter or input file the step refused; so it is not retried.
/// Carries that verdict where the original exception cannot go, e.g. from a worker of the cluster to the run that placed
/// the step there.
/// </summary>
/// <param name="message">The failure as the user sees it, the original message included.</param>
public sealed class StatementRefusedException(string message) : Exception(message);
