using Tributary.Core.Warehousing;

namespace Tributary.Core.Components;

/// <summary>
/// Says what columns a query returns over empty tables shaped as its inputs, without data (an engine's bind step, as
/// DuckDB binds a prepared statement): <c>trib validate</c> and the designer check a <c>transform.sql</c> step's SQL
/// with it, and what the SQL returns then reaches the steps after it, whose needs are checked in turn.
/// </summary>
public interface IQueryDescriber
{
    /// <summary>The dialect the SQL is rendered for before it is described.</summary>
    ISqlDialect Dialect { get; }

    /// <summary>
    /// The columns <paramref name="sql"/> returns with <paramref name="parameters"/> bound, over tables named after the
    /// inputs with their columns; null when that cannot be said without data (an input whose columns are not known, or
    /// a table the SQL reads that is not an input).
    /// </summary>
    /// <exception cref="SqlDoesNotRunException">The SQL does not run on those columns; the message is the engine's.</exception>
    TableSchema? Describe(string sql, IReadOnlyList<object?> parameters, IReadOnlyList<PlannedInput> inputs);
}
