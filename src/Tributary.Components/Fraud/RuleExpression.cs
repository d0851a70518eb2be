using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>
/// The condition language of <c>rules.fraud</c>, translated to SQL: numbers, column names, arithmetic (<c>+ - * /</c>,
/// unary minus, parentheses), comparisons (<c>&lt; &lt;= &gt; &gt;= = != &lt;&gt;</c>) and <c>and</c>, <c>or</c>,
/// <c>not</c>. Column names become quoted identifiers of known columns and numbers become bound values, so no text of
/// the rule reaches the SQL; division by zero gives NULL and a comparison with NULL does not fire.
/// </summary>
internal sealed class RuleExpression
{
    private readonly string _rule;
    private readonly string _text;
    private readonly IReadOnlySet<string> _columns;
    private readonly SqlBuilder? _q;
    private readonly List<(string Text, int At)> _tokens = [];
    private int _next;

    private RuleExpression(string rule, string text, IReadOnlySet<string> columns, SqlBuilder? q)
    {
        (_rule, _text, _columns, _q) = (rule, text, columns, q);
    }

    /// <summary>The SQL condition of <paramref name="text"/>, binding its numbers in <paramref name="q"/>.</summary>
    /// <exception cref="PlanException">The text is not a condition over <paramref name="columns"/>; says the rule and the position.</exception>
    public static string ToSql(string rule, string text, IReadOnlySet<string> columns, SqlBuilder q)
    {
        return new RuleExpression(rule, text, columns, q).Run();
    }

    /// <summary>Checks <paramref name="text"/> without an engine (at plan time); <paramref name="columns"/> null accepts any column name.</summary>
    /// <exception cref="PlanException">The text is not a condition; says the rule and the position.</exception>
    public static IReadOnlyList<string> Check(string rule, string text, IReadOnlySet<string>? columns)
    {
        var e = new RuleExpression(rule, text, columns ?? new HashSet<string>(), null) { _anyColumn = columns is null };
        e.Run();
        return e._tokens.Select(t => t.Text).Where(t => IsName(t[0]) && !Keywords.Contains(t)).Distinct(StringComparer.Ordinal).ToList();
    }

    private bool _anyColumn;
    private int _depth;
    private const int MaxDepth = 64;

    private string Run()
    {
        if (string.IsNullOrWhiteSpace(_text)) throw Error(0, "the condition is empty");
        Tokenize();
        var (sql, boolean) = Or();
        if (_next < _tokens.Count) throw Error(_tokens[_next].At, $"unexpected '{_tokens[_next].Text}'");
        if (!boolean) throw Error(0, "the condition must be a comparison (such as amount_z > 3), not a number");
        return sql;
    }

    // Nesting beyond any sensible rule is refused rather than recursed into.
    private void Deeper(int at)
    {
        if (++_depth > MaxDepth) throw Error(at, $"the condition nests deeper than {MaxDepth} levels");
    }

    private static readonly HashSet<string> Keywords = ["and", "or", "not"];
    private static readonly string[] Operators = ["<=", ">=", "!=", "<>", "<", ">", "=", "+", "-", "*", "/", "(", ")"];

    private static bool IsName(char c) => char.IsAsciiLetter(c) || c == '_';

    private void Tokenize()
    {
        var i = 0;
        while (i < _text.Length)
        {
            var c = _text[i];
            if (char.IsWhiteSpace(c)) { i++; continue; }
            var start = i;
            if (IsName(c))
            {
                while (i < _text.Length && (char.IsAsciiLetterOrDigit(_text[i]) || _text[i] == '_')) i++;
                _tokens.Add((_text[start..i].ToLowerInvariant() is var word && Keywords.Contains(word) ? word : _text[start..i], start));
                continue;
            }
            if (char.IsAsciiDigit(c) || (c == '.' && i + 1 < _text.Length && char.IsAsciiDigit(_text[i + 1])))
            {
                while (i < _text.Length && (char.IsAsciiDigit(_text[i]) || _text[i] == '.')) i++;
                if (i < _text.Length && _text[i] is 'e' or 'E')
                {
                    i++;
                    if (i < _text.Length && _text[i] is '+' or '-') i++;
                    while (i < _text.Length && char.IsAsciiDigit(_text[i])) i++;
                }
                var number = _text[start..i];
                if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                    throw Error(start, $"'{number}' is not a number");
                _tokens.Add((number, start));
                continue;
            }
            var op = Operators.FirstOrDefault(o => string.CompareOrdinal(_text, i, o, 0, o.Length) == 0)
                ?? throw Error(start, $"unexpected character '{c}'; a condition holds column names, numbers, + - * / ( ), comparisons and and/or/not");
            _tokens.Add((op, start));
            i += op.Length;
        }
    }

    private PlanException Error(int at, string message) =>
        new($"rule '{_rule}': {message} at position {at + 1} of '{_text}'.");

    private (string Text, int At)? Peek => _next < _tokens.Count ? _tokens[_next] : null;

    private bool Accept(string token)
    {
        if (Peek is not { } t || t.Text != token) return false;
        _next++;
        return true;
    }

    private int Here => Peek?.At ?? _text.Length;

    private (string Sql, bool Boolean) Or()
    {
        var left = And();
        while (Accept("or")) left = ($"({Boolean(left, "or")} OR {Boolean(And(), "or")})", true);
        return left;
    }

    private (string Sql, bool Boolean) And()
    {
        var left = Not();
        while (Accept("and")) left = ($"({Boolean(left, "and")} AND {Boolean(Not(), "and")})", true);
        return left;
    }

    private (string Sql, bool Boolean) Not()
    {
        var at = Here;
        if (!Accept("not")) return Comparison();
        Deeper(at);
        var inner = Boolean(Not(), "not");
        _depth--;
        return ($"(NOT {inner})", true);
    }

    private (string Sql, bool Boolean) Comparison()
    {
        var at = Here;
        var left = Sum();
        if (Peek is { } t && t.Text is "<" or "<=" or ">" or ">=" or "=" or "!=" or "<>")
        {
            _next++;
            var right = Sum();
            if (left.Boolean || right.Boolean) throw Error(at, "a comparison compares numbers");
            return ($"({left.Sql} {(t.Text == "!=" ? "<>" : t.Text)} {right.Sql})", true);
        }
        return left;
    }

    private (string Sql, bool Boolean) Sum()
    {
        var left = Term();
        while (Peek is { } t && t.Text is "+" or "-")
        {
            _next++;
            left = ($"({Number(left, t.At)} {t.Text} {Number(Term(), t.At)})", false);
        }
        return left;
    }

    private (string Sql, bool Boolean) Term()
    {
        var left = Unary();
        while (Peek is { } t && t.Text is "*" or "/")
        {
            _next++;
            var right = Number(Unary(), t.At);
            left = (t.Text == "*" ? $"({Number(left, t.At)} * {right})" : $"({Number(left, t.At)} / nullif({right}, 0))", false);
        }
        return left;
    }

    private (string Sql, bool Boolean) Unary()
    {
        if (Peek is { Text: "-" } minus)
        {
            _next++;
            Deeper(minus.At);
            var inner = Number(Unary(), minus.At);
            _depth--;
            return ($"(-{inner})", false);
        }
        return Primary();
    }

    private (string Sql, bool Boolean) Primary()
    {
        if (Peek is not { } t) throw Error(_text.Length, "the condition ends too early");
        _next++;
        if (t.Text == "(")
        {
            Deeper(t.At);
            var inner = Or();
            if (!Accept(")")) throw Error(Here, "expected ')'");
            _depth--;
            return inner;
        }
        if (char.IsAsciiDigit(t.Text[0]) || t.Text[0] == '.')
            return (_q?.Bind(double.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture), DataKind.Number) ?? t.Text, false);
        if (IsName(t.Text[0]) && !Keywords.Contains(t.Text))
        {
            if (!_anyColumn && !_columns.Contains(t.Text))
                throw Error(t.At, $"unknown column '{t.Text}'{(_columns.Count > 0 ? $" (columns: {string.Join(", ", _columns.Order(StringComparer.Ordinal).Take(60))})" : "")}");
            return ($"CAST({_q?.Quote(t.Text) ?? t.Text} AS DOUBLE PRECISION)", false);
        }
        throw Error(t.At, $"unexpected '{t.Text}'");
    }

    private string Boolean((string Sql, bool Boolean) operand, string op) =>
        operand.Boolean ? operand.Sql : throw Error(Math.Max(0, Here - 1), $"'{op}' joins comparisons, not numbers");

    private string Number((string Sql, bool Boolean) operand, int at) =>
        operand.Boolean ? throw Error(at, "arithmetic needs numbers, not a comparison") : operand.Sql;
}
