namespace Tributary.Testing;

/// <summary>Edits of the tributary.yaml that <c>trib init</c> writes, as a user would make them.</summary>
public static class ProjectSettingsFile
{
    /// <summary>
    /// The settings text with its warehouse moved to PostgreSQL: the duckdb line commented out and the postgres_env line
    /// set to <paramref name="variable"/> (both set is an error).
    /// </summary>
    public static string WithPostgresWarehouse(string text, string variable) =>
        text.Replace("  duckdb: .tributary/warehouse.duckdb", "  # duckdb: .tributary/warehouse.duckdb", StringComparison.Ordinal)
            .Replace("# postgres_env: TRIBUTARY_POSTGRES", $"postgres_env: {variable}", StringComparison.Ordinal);

    /// <summary>Rewrites the settings file at <paramref name="path"/> with <see cref="WithPostgresWarehouse"/>.</summary>
    public static void UsePostgresWarehouse(string path, string variable) =>
        File.WriteAllText(path, WithPostgresWarehouse(File.ReadAllText(path), variable));
}
