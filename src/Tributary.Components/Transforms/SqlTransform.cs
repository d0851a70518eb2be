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
    /// <remarks>Whether the SQL is one query is for the engine's parser to say, when the step runs (see <see cref="ITableBuilder.CreateAsSelectAsync"/>).</remarks>
    public ComponentPlan Plan(SqlTransformParameters parameters, PlanContext context) => ComponentPlan.Unknown;

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(SqlTransformParameters parameters, ComponentContext context, CancellationToken cancellationToken)
    {
        var statement = parameters.Sql.Render(context.Warehouse.Dialect);
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset,
            (b, ct) => b.CreateAsSelectAsync(statement.Sql.Trim().TrimEnd(';'), statement.Parameters, ct), cancellationToken).ConfigureAwait(false);
        return Materialization.Of(rows);
    }
}
