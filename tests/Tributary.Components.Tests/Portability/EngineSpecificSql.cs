using System.Text.RegularExpressions;

namespace Tributary.Components.Tests.Portability;

/// <summary>
/// SQL that only some engines understand: functions, keywords, casts and hand-numbered placeholders that belong in a
/// dialect (Tributary.Warehouse), never in a component.
/// </summary>
internal static partial class EngineSpecificSql
{
    private static readonly (string Name, Regex Pattern)[] Patterns =
    [
        ("regexp_replace (flags differ by engine)", Rx(@"\bregexp_(replace|matches|extract|split_to_array)\s*\(")),
        ("an INTERVAL literal", Rx(@"\bINTERVAL\s*'")),
        ("current_schema()", Rx(@"\bcurrent_schema\b")),
        ("starts_with()", Rx(@"\bstarts_with\s*\(")),
        ("a :: cast", Rx(@"::\s*(numeric|decimal|text|varchar|char|int[248]?|integer|bigint|smallint|date|timestamp|timestamptz|time|double|float[48]?|real|bool|boolean|json|jsonb|uuid|interval|regclass|bytea)\b")),
        ("strftime/strptime/to_char/to_timestamp/date_format", Rx(@"\b(strftime|strptime|to_char|to_timestamp|date_format)\s*\(")),
        ("a string or list aggregate", Rx(@"\b(string_agg|listagg|group_concat|array_agg|list_[a-z_]+)\s*\(")),
        ("date arithmetic functions", Rx(@"\b(date_trunc|date_diff|datediff|date_part|date_add|dateadd|date_sub|epoch|epoch_ms|age)\s*\(")),
        ("ILIKE / QUALIFY / SIMILAR TO", Rx(@"\b(ILIKE|QUALIFY|SIMILAR\s+TO)\b")),
        ("TRY_CAST / arg_max / max_by", Rx(@"\b(try_cast|arg_max|arg_min|max_by|min_by)\s*\(")),
        ("a DuckDB-only type (DOUBLE without PRECISION, HUGEINT, STRUCT)", Rx(@"\bAS\s+(DOUBLE(?!\s+PRECISION)|HUGEINT|UBIGINT|STRUCT|JSONB)\b")),
        ("a hand-numbered placeholder ($1)", Rx(@"\$\d")),
        ("a hand-numbered placeholder (${n})", Rx(@"\$\{\s*(args|i|n|index|parameters)\b")),
    ];

    private static Regex Rx(string pattern) => new(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

    /// <summary>What of the list <paramref name="text"/> holds, by name.</summary>
    public static IEnumerable<string> Find(string text) => Patterns.Where(p => p.Pattern.IsMatch(text)).Select(p => p.Name);
}
