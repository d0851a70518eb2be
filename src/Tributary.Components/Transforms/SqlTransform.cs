using System.ComponentModel;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Transforms;

/// <summary>Parameters of <c>transform.sql</c>.</summary>
public sealed record SqlTransformParameters
{
    /// <summary>The query; <c>${param.*}</c> in it reaches the database as a bound value.</summary>
    [Description("One query (SELECT, WITH ... SELECT, FROM ...) over the input tables, each named by its component id (like a dbt model); its result becomes this asset. "
        + "${param.NAME} in it is a bound value (write region = ${param.region}, not '${param.region}' unless you mean a piece of a string).")]
    public required SqlText Sql { get; init; }
}

/// <summary>Builds a table from a SELECT over input tables, written atomically.</summary>
public sealed class SqlTransform : IComponent<SqlTransformParameters>
{
    /// <inheritdoc />
    public static string TypeName => "transform.sql";
    /// <inheritdoc />
    public static string Description => "Build a table from a SELECT over input tables (like a dbt model).";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.Any;

    /// <inheritdoc />
    /// <remarks>
    /// For a run the columns are the engine's to say when the step runs (see <see cref="ITableBuilder.CreateAsSelectAsync"/>).
    /// When the file is checked (<see cref="PlanContext.Queries"/>) and every input's columns are known, the query is
    /// described over empty tables of those columns: a misspelt column fails here, and what it returns is checked against
    /// the needs of the steps after it.
    /// </remarks>
    public ComponentPlan Plan(SqlTransformParameters parameters, PlanContext context)
    {
        if (context.Queries is not { } queries || context.Inputs.Any(i => i.Schema is null)) return ComponentPlan.Unknown;
        SqlStatement statement;
        try
        {
            statement = parameters.Sql.Render(queries.Dialect);
        }
        catch (ArgumentException)
        {
            return ComponentPlan.Unknown; // a reference without a value is the loader's to report
        }
        return queries.Describe(statement.Sql.Trim().TrimEnd(';'), statement.Parameters, context.Inputs) is { } output
            ? new ComponentPlan(output, [])
            : ComponentPlan.Unknown;
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(SqlTransformParameters parameters, ComponentContext context, CancellationToken cancellationToken)
    {
        var statement = parameters.Sql.Render(context.Warehouse.Dialect);
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset,
            (b, ct) => b.CreateAsSelectAsync(statement.Sql.Trim().TrimEnd(';'), statement.Parameters, ct), cancellationToken).ConfigureAwait(false);
        return Materialization.Of(rows);
    }
}
