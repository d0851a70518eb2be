using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.Postgres;

/// <summary>
/// Whether the PostgreSQL warehouse has a schema its role can create tables in. Without one, every run failed at its first
/// step with PostgreSQL's own words ("3F000: no schema has been selected to create in", or from PostgreSQL 15, where only
/// the database owner may create in <c>public</c>, "42501: permission denied for schema public") and a position in SQL the
/// user never wrote.
/// </summary>
public static class PostgresSchemaCheck
{
    /// <summary>What is wrong with the warehouse's schema, or null when its role can create tables there or this is not PostgreSQL.</summary>
    /// <returns>An error when no schema of the search path exists for the role (nothing can be read or written), else a warning.</returns>
    public static async Task<(bool IsError, string Message)?> ProblemAsync(IWarehouse warehouse, CancellationToken cancellationToken)
    {
        if (warehouse.Dialect.Name != "postgres") return null;
        var row = (await warehouse.QueryAsync(
            "SELECT current_user::text, current_setting('search_path'), current_schema()::text, has_schema_privilege(current_schema(), 'CREATE')",
            null, 1, cancellationToken).ConfigureAwait(false)).Rows[0];
        var (role, path, schema) = ((string)row[0]!, (string)row[1]!, row[2] as string);
        var create = $"CREATE SCHEMA tributary AUTHORIZATION \"{role}\"";
        if (schema is null)
            return (true, $"the PostgreSQL warehouse has no schema to work in: its search path ({path}) names none that exists and that role '{role}' may use. "
                + $"Create one the role owns ({create}) and name it in the connection string (Search Path=tributary).");
        if (row[3] is true) return null;
        return (false, $"warning: role '{role}' may not create tables in schema '{schema}' of the PostgreSQL warehouse, so a run fails at its first step "
            + $"(from PostgreSQL 15 only the database owner may create in public). Create a schema the role owns ({create}) and name it in the connection string "
            + "(Search Path=tributary).");
    }
}
