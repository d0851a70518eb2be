namespace Tributary.Core.Warehousing;

/// <summary>Where a piece of SQL text sits, as far as a <c>${...}</c> reference in it is concerned.</summary>
internal enum SqlRegion
{
    /// <summary>SQL outside quotes and comments: a reference here is a bound value.</summary>
    Code,
    /// <summary>A plain <c>'...'</c> string (<c>''</c> escapes a quote): a reference here is quoted by the dialect.</summary>
    String,
    /// <summary>A plain <c>"..."</c> identifier (<c>""</c> escapes a quote): a reference here is quoted by the dialect.</summary>
    Identifier,
    /// <summary>A comment, a dollar-quoted string, or a prefixed one (<c>E'..'</c>, <c>U&amp;'..'</c>, <c>X'..'</c>): no reference allowed.</summary>
    Opaque,
}

/// <summary>One stretch of SQL text: its region, and the offsets of its text (quotes included).</summary>
/// <remarks><see cref="Closed"/> is false for a quote or comment that runs to the end of the text.</remarks>
internal readonly record struct SqlPiece(SqlRegion Region, int Start, int End, string What, bool Closed = true);

/// <summary>One <c>${...}</c> reference (or <c>$${</c> escape) in SQL text, found the way substitution finds it.</summary>
internal readonly record struct SqlReference(int Start, int Length, string? Name);

/// <summary>
/// Splits SQL written in a pipeline into code, strings, identifiers and opaque parts (comments, dollar-quoted and
/// prefixed strings), the way DuckDB and PostgreSQL lex them, so each <c>${...}</c> reference is known to be a value,
/// a piece of a quoted literal, or something that cannot be quoted safely. <c>$${</c> and <c>${...}</c> are read first
/// everywhere, exactly as substitution reads them.
/// </summary>
internal static class SqlLexer
{
    /// <summary>The pieces of <paramref name="sql"/>, in order, covering all of it.</summary>
    public static List<SqlPiece> Split(string sql)
    {
        var pieces = new List<SqlPiece>();
        var codeStart = 0;
        var i = 0;
        while (i < sql.Length)
        {
            if (ReferenceAt(sql, i) is { } r)
            {
                i += r.Length;
                continue;
            }
            var c = sql[i];
            // Only a quote can have a prefix; looking back from every character would make long names quadratic.
            var prefix = c is '\'' or '"' ? PrefixBefore(sql, i) : "";
            SqlPiece? piece = c switch
            {
                '\'' => Run(sql, i, i + 1, "\'", doubled: true, backslashes: prefix == "E",
                    prefix is "E" or "U&" or "X" or "B" or "N" ? SqlRegion.Opaque : SqlRegion.String,
                    prefix is "E" or "U&" or "X" or "B" or "N" ? $"a {prefix}'...' string" : "a string"),
                '"' => Run(sql, i, i + 1, "\"", doubled: true, backslashes: false,
                    prefix == "U&" ? SqlRegion.Opaque : SqlRegion.Identifier, prefix == "U&" ? "a U&\"...\" name" : "a quoted name"),
                '-' when At(sql, i + 1) == '-' => Run(sql, i, i + 2, "\n", doubled: false, backslashes: false, SqlRegion.Opaque, "a comment", closeIsLineEnd: true),
                '/' when At(sql, i + 1) == '*' => BlockComment(sql, i),
                '$' when (i == 0 || !IsWordChar(sql[i - 1])) && DollarTag(sql, i) is { } tag =>
                    Run(sql, i, i + tag.Length, tag, doubled: false, backslashes: false, SqlRegion.Opaque, "a dollar-quoted string"),
                _ => null,
            };
            if (piece is not { } p)
            {
                i++;
                continue;
            }
            if (i > codeStart) pieces.Add(new SqlPiece(SqlRegion.Code, codeStart, i, "SQL"));
            pieces.Add(p);
            i = codeStart = p.End;
        }
        if (codeStart < sql.Length) pieces.Add(new SqlPiece(SqlRegion.Code, codeStart, sql.Length, "SQL"));
        return pieces;
    }

    /// <summary>The references and <c>$${</c> escapes between <paramref name="start"/> and <paramref name="end"/>.</summary>
    public static IEnumerable<SqlReference> References(string sql, int start, int end)
    {
        for (var i = start; i < end;)
        {
            if (ReferenceAt(sql, i) is { } r && i + r.Length <= end)
            {
                yield return r;
                i += r.Length;
            }
            else i++;
        }
    }

    /// <summary>
    /// The longest text a reference's braces hold. Looking further for a '}' would make text with many unclosed '${'
    /// quadratic (a 1 MiB scalar of them took minutes); no param, env or partition name comes near it.
    /// </summary>
    public const int MaxReferenceLength = 200;

    // '$${' is an escape (Name null); '${...}' up to the first '}' is a reference; a '${' not closed within
    // MaxReferenceLength characters is plain text.
    private static SqlReference? ReferenceAt(string sql, int i)
    {
        if (sql[i] != '$') return null;
        if (At(sql, i + 1) == '$' && At(sql, i + 2) == '{') return new SqlReference(i, 3, null);
        if (At(sql, i + 1) != '{') return null;
        var close = sql.IndexOf('}', i + 2, Math.Min(MaxReferenceLength + 1, sql.Length - (i + 2)));
        return close < 0 ? null : new SqlReference(i, close - i + 1, sql[(i + 2)..close].Trim());
    }

    // The name glued to a quote, upper-cased: E'..' (backslash escapes), U&'..', X'..', B'..', N'..' change what the quotes hold.
    private static string PrefixBefore(string sql, int i)
    {
        var j = i;
        if (j > 0 && sql[j - 1] == '&') j--;
        var end = j;
        while (j > 0 && IsWordChar(sql[j - 1])) j--;
        return sql[j..end].ToUpperInvariant() + sql[end..i];
    }

    // A quoted run or line comment from 'open' to its closing text; references are skipped whole, a doubled quote (and,
    // in E'' strings, a backslash) escapes. A line comment ends before its newline; anything unclosed runs to the end.
    private static SqlPiece Run(string sql, int open, int from, string close, bool doubled, bool backslashes, SqlRegion region, string what,
        bool closeIsLineEnd = false)
    {
        for (var i = from; i < sql.Length;)
        {
            if (ReferenceAt(sql, i) is { } r)
            {
                i += r.Length;
                continue;
            }
            if (backslashes && sql[i] == '\\')
            {
                i += 2;
                continue;
            }
            if (string.CompareOrdinal(sql, i, close, 0, close.Length) == 0)
            {
                if (doubled && string.CompareOrdinal(sql, i + close.Length, close, 0, close.Length) == 0)
                {
                    i += 2 * close.Length;
                    continue;
                }
                return new SqlPiece(region, open, closeIsLineEnd ? i : i + close.Length, what);
            }
            i++;
        }
        return new SqlPiece(region, open, sql.Length, what, Closed: closeIsLineEnd);
    }

    // Block comments nest in both engines.
    private static SqlPiece BlockComment(string sql, int open)
    {
        var depth = 0;
        for (var i = open; i < sql.Length - 1;)
        {
            if (ReferenceAt(sql, i) is { } r) i += r.Length;
            else if (sql[i] == '/' && sql[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (sql[i] == '*' && sql[i + 1] == '/')
            {
                i += 2;
                if (--depth == 0) return new SqlPiece(SqlRegion.Opaque, open, i, "a comment");
            }
            else i++;
        }
        return new SqlPiece(SqlRegion.Opaque, open, sql.Length, "a comment", Closed: false);
    }

    // $$ or $tag$ opens a dollar-quoted string; $1 is a parameter. A '$' that starts '$${' or '${...}' belongs to that.
    private static string? DollarTag(string sql, int i)
    {
        var j = i + 1;
        if (j < sql.Length && (char.IsAsciiLetter(sql[j]) || sql[j] == '_'))
            while (j < sql.Length && IsWordChar(sql[j])) j++;
        return At(sql, j) == '$' && ReferenceAt(sql, j) is null ? sql[i..(j + 1)] : null;
    }

    /// <summary>A character that continues a name (so text glued to a reference would change the name).</summary>
    public static bool IsWordChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_' || c > 127;

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';
}
