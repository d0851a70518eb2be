using System.ComponentModel;
using System.Text.RegularExpressions;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;
using Tributary.Warehouse;

namespace Tributary.Components.Sources;

/// <summary>Parameters of <c>source.sql</c>.</summary>
public sealed partial record SqlSourceParameters
{
    /// <summary>Which engine the connection string is for.</summary>
    [Description("Engine of the source database: postgres, or duckdb (the connection string is then a file path).")]
    public SqlSourceEngine Engine { get; init; } = SqlSourceEngine.Postgres;

    /// <summary>Env variable holding the connection string.</summary>
    [Description("Name of the environment variable that holds the connection string, so no secret is written in YAML. Not one of Tributary's own (TRIBUTARY_*, tributary.yaml's postgres_env); its value is shown as <env NAME> in the run's errors and logs.")]
    public required string ConnectionEnv { get; init; }

    /// <summary>The query; <c>${param.*}</c> in it reaches the source database as a bound value.</summary>
    [Description("One query to run against the source database; its result becomes the table. ${param.NAME} in it is a bound value.")]
    public required SqlText Query { get; init; }

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    internal static partial Regex EnvName();
}

/// <summary>Source database engines.</summary>
public enum SqlSourceEngine
{
    /// <summary>PostgreSQL (Npgsql connection string).</summary>
    Postgres,
    /// <summary>A DuckDB file.</summary>
    Duckdb,
}

/// <summary>Copies the result of a query against another PostgreSQL or DuckDB database into a table.</summary>
public sealed class SqlSource : IComponent<SqlSourceParameters>
{
    /// <inheritdoc />
    public static string TypeName => "source.sql";
    /// <inheritdoc />
    public static string Description => "Copy the result of a query against a PostgreSQL or DuckDB database into a table.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.None;

    /// <inheritdoc />
    public ComponentPlan Plan(SqlSourceParameters parameters, PlanContext context) =>
        SqlSourceParameters.EnvName().IsMatch(parameters.ConnectionEnv)
            ? ComponentPlan.Unknown
            : throw new PlanException($"connection_env must name an environment variable, got '{parameters.ConnectionEnv}'.");

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(SqlSourceParameters parameters, ComponentContext context, CancellationToken cancellationToken)
    {
        var connection = context.Environment(parameters.ConnectionEnv)
            ?? throw new ArgumentException($"environment variable '{parameters.ConnectionEnv}' is not set; it must hold the source's connection string.");
        await using var source = parameters.Engine == SqlSourceEngine.Postgres
            ? await WarehouseFactory.OpenAsync("", connection, cancellationToken).ConfigureAwait(false)
            : await WarehouseFactory.OpenAsync(context.ResolvePath(connection), null, context.Paths.Roots, cancellationToken).ConfigureAwait(false);
        // As a subquery the text can only be one query: never several statements, never COPY or ATTACH. The newline ends a trailing comment.
        var query = parameters.Query.Render(source.Dialect);
        var select = $"SELECT * FROM ({query.Sql.Trim().TrimEnd(';')}\n) AS q";
        var schema = (await source.QueryAsync(select + " LIMIT 0", query.Parameters, 0, cancellationToken).ConfigureAwait(false)).Schema;
        var columns = schema.Columns.Select(c => (c.Name, c.Kind)).ToList();
        var rows = await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) =>
            b.CreateAndAppendAsync(columns, source.StreamAsync(select, query.Parameters, ct).ToBlockingEnumerable(ct), ct), cancellationToken).ConfigureAwait(false);
        return new Materialization(rows, new Dictionary<string, object?> { ["engine"] = parameters.Engine.ToString().ToLowerInvariant() });
    }
}
