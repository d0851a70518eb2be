namespace Tributary.Core.Warehousing;

/// <summary>
/// A warehouse refused a step's statement as written (<see cref="IWarehouse.IsStatementError"/>): running it again cannot
/// succeed, so the step is not retried. Carries that verdict where the engine's own exception cannot go, e.g. from a worker
/// of the cluster to the run that placed the step there.
/// </summary>
/// <param name="message">The refusal as the user sees it, the engine's message included.</param>
public sealed class StatementRefusedException(string message) : Exception(message);
