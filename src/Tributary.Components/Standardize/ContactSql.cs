namespace Tributary.Components.Standardize;

/// <summary>
/// Portable SQL (DuckDB and PostgreSQL) that normalizes emails the same way <see cref="Activation.ContactNormalizer"/> does
/// in .NET: trimmed, lower-cased, spaces removed. Phones need libphonenumber's tables and go through <see cref="ContactLookups"/>.
/// </summary>
internal static class ContactSql
{
    /// <summary>Normalized email, or NULL when it has no '@'.</summary>
    public static string Email(string column) =>
        $"CASE WHEN {column} LIKE '%_@_%._%' THEN lower(replace(trim({column}), ' ', '')) END";
}
