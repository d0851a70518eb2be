using System.Globalization;
using System.Text;

namespace Tributary.Core.Warehousing;

/// <summary>The positional placeholders (<c>$1, $2…</c>) in the code of an SQL statement, outside strings, quoted names and comments.</summary>
public static class SqlPlaceholders
{
    /// <summary>
    /// <paramref name="sql"/> with each placeholder <c>$n</c> for which <paramref name="typeOf"/> gives a type name written
    /// as <c>(CAST($n AS type))</c>, so the engine takes the value as that type wherever it stands (the parentheses keep
    /// it one operand where only a bare placeholder or a parenthesized expression may stand, as in <c>INTERVAL $1 DAY</c>); placeholders inside
    /// strings, quoted names, comments and dollar-quoted strings, and those <paramref name="typeOf"/> gives null for, stay as written.
    /// </summary>
    /// <param name="sql">One statement.</param>
    /// <param name="typeOf">The engine's type name for placeholder <c>n</c> (1-based), or null to leave it bare.</param>
    public static string Cast(string sql, Func<int, string?> typeOf)
    {
        ArgumentNullException.ThrowIfNull(sql);
        ArgumentNullException.ThrowIfNull(typeOf);
        if (!sql.Contains('$', StringComparison.Ordinal)) return sql;
        StringBuilder? result = null;
        var copied = 0;
        foreach (var piece in SqlLexer.Split(sql))
        {
            if (piece.Region != SqlRegion.Code) continue;
            for (var i = piece.Start; i < piece.End; i++)
            {
                // '$' glued to a name is part of it (DuckDB and PostgreSQL allow '$' inside names).
                if (sql[i] != '$' || (i > 0 && (SqlLexer.IsWordChar(sql[i - 1]) || sql[i - 1] == '$'))) continue;
                var end = i + 1;
                while (end < piece.End && char.IsAsciiDigit(sql[end])) end++;
                if (end == i + 1 || !int.TryParse(sql.AsSpan(i + 1, end - i - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                    || typeOf(n) is not { } type)
                {
                    i = end - 1;
                    continue;
                }
                result ??= new StringBuilder(sql.Length + 32);
                result.Append(sql, copied, i - copied).Append("(CAST(").Append(sql, i, end - i).Append(" AS ").Append(type).Append("))");
                copied = end;
                i = end - 1;
            }
        }
        return result is null ? sql : result.Append(sql, copied, sql.Length - copied).ToString();
    }
}
