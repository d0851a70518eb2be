using System.ComponentModel;
using Tributary.Core.Components;

namespace Tributary.Components.Transforms;

/// <summary>Parameters of <c>transform.sql</c>.</summary>
public sealed record SqlTransformParameters
{
    /// <summary>The SELECT.</summary>
    [Description("A SELECT over the input tables, each named by its component id (like a dbt model). Its result becomes this asset.")]
    public required string Sql { get; init; }
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
    public ComponentPlan Plan(SqlTransformParameters parameters, PlanContext context)
    {
        var sql = parameters.Sql.Trim().TrimEnd(';');
        if (!sql.StartsWith("select", StringComparison.OrdinalIgnoreCase) && !sql.StartsWith("with", StringComparison.OrdinalIgnoreCase))
            throw new PlanException("sql must be a single SELECT (or WITH ... SELECT) query.");
        return ComponentPlan.Unknown;
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(SqlTransformParameters parameters, ComponentContext context, CancellationToken cancellationToken)
    {
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset,
            (b, ct) => b.CreateAsSelectAsync(parameters.Sql.Trim().TrimEnd(';'), null, ct), cancellationToken).ConfigureAwait(false);
        return Materialization.Of(rows);
    }
}
