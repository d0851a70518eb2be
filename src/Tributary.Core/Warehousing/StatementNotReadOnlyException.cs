namespace Tributary.Core.Warehousing;

/// <summary>
/// The engine judged a statement given to <see cref="IWarehouse.QueryReadOnlyAsync"/> able to change something (a DELETE,
/// a CREATE, a SET, a write inside a query), so it was refused or stopped and nothing it did was kept.
/// </summary>
/// <param name="reason">Why, in the engine's terms: <c>it is a DELETE statement</c>, or the engine's own error.</param>
public sealed class StatementNotReadOnlyException(string reason) : Exception(reason);
