using Tributary.Core.Warehousing;

namespace Tributary.Warehouse.Postgres;

/// <summary>
/// Whether the role a PostgreSQL warehouse is connected as can reach the database server's own files and programs (a
/// superuser, or a member of pg_write_server_files, pg_read_server_files or pg_execute_server_program): then any SQL a
/// pipeline holds can too, which docs/security.md says not to allow.
/// </summary>
public static class PostgresRoleCheck
{
    /// <summary>A one-line warning naming the role and what it can do, or null when it has none of those privileges or this is not PostgreSQL.</summary>
    public static async Task<string?> WarningAsync(IWarehouse warehouse, CancellationToken cancellationToken)
    {
        if (warehouse.Dialect.Name != "postgres") return null;
        var rows = (await warehouse.QueryAsync("""
            SELECT current_user::text, r.rolsuper,
                   pg_has_role(current_user, 'pg_write_server_files', 'MEMBER') OR pg_has_role(current_user, 'pg_read_server_files', 'MEMBER')
                   OR pg_has_role(current_user, 'pg_execute_server_program', 'MEMBER')
            FROM pg_roles r WHERE r.rolname = current_user
            """, null, 1, cancellationToken).ConfigureAwait(false)).Rows;
        if (rows.Count == 0) return null;
        var row = rows[0];
        var (role, super, files) = (row[0] as string, row[1] is true, row[2] is true);
        if (!super && !files) return null;
        return $"warning: the PostgreSQL warehouse is connected as '{role}', {(super ? "a superuser" : "a member of the server-file roles")}: any SQL in a pipeline "
            + "(COPY ... TO PROGRAM, pg_read_file) can reach the database server's files and run programs on it. Connect as a role that owns only the warehouse's schema "
            + "(docs/security.md).";
    }
}
