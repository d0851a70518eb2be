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

    /// <summary>
    /// E.164 phone: '+' or '00' mark international numbers, others get the country code bound at <paramref name="countryParameter"/>
    /// in place of one trunk '0'. No other digit is dropped: a number that would start with 0 or fall outside 8–15 digits is NULL.
    /// </summary>
    public static string Phone(SqlBuilder sql, string column, string countryParameter)
    {
        var digits = sql.RegexReplaceAll(column, "[^0-9]", "");
        var international = $"""
            CASE WHEN trim({column}) LIKE '+%' THEN {digits}
                 WHEN {digits} LIKE '00%' THEN substr({digits}, 3)
                 WHEN {digits} LIKE '0%' THEN CAST({countryParameter} AS VARCHAR) || substr({digits}, 2)
                 ELSE CAST({countryParameter} AS VARCHAR) || {digits} END
            """;
        return $"CASE WHEN length({international}) BETWEEN 8 AND 15 AND {international} NOT LIKE '0%' THEN '+' || {international} END";
    }
}
