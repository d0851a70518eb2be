using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>
/// Portable SQL (DuckDB and PostgreSQL) that normalizes contact identifiers the same way
/// <see cref="Activation.ContactNormalizer"/> does in .NET: emails trimmed, lower-cased, spaces removed; phones to E.164.
/// </summary>
internal static class ContactSql
{
    /// <summary>Normalized email, or NULL when it has no '@'.</summary>
    public static string Email(string column) =>
        $"CASE WHEN {column} LIKE '%_@_%._%' THEN lower(replace(trim({column}), ' ', '')) END";

    /// <summary>E.164 phone: '+' or '00' mark international numbers, others get the country code bound at <paramref name="countryParameter"/>.</summary>
    public static string Phone(SqlBuilder sql, string column, string countryParameter)
    {
        var digits = sql.RegexReplaceAll(column, "[^0-9]", "");
        var e164 = $"""
            CASE WHEN trim({column}) LIKE '+%' THEN '+' || {digits}
                 WHEN {digits} LIKE '00%' THEN '+' || substr({digits}, 3)
                 ELSE '+' || CAST({countryParameter} AS VARCHAR) || ltrim({digits}, '0') END
            """;
        return $"CASE WHEN length({digits}) BETWEEN 7 AND 15 THEN {e164} END";
    }
}
