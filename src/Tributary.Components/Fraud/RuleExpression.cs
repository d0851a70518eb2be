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
    private readonly IReadOnlyList<string>? _slots;
    private readonly List<(string Text, int At)> _tokens = [];
    private int _next;

    private RuleExpression(string rule, string text, IReadOnlySet<string> columns, SqlBuilder? q, IReadOnlyList<string>? slots = null)
    {
        (_rule, _text, _columns, _q, _slots) = (rule, text, columns, q, slots);
    }

    /// <summary>A parsed part: its SQL, whether it is a condition, and its value on a row (a condition as 1, 0 or null).</summary>
    private sealed record Node(string Sql, bool Boolean, Func<double?[], double?> Eval);

    private Node? _root;

    /// <summary>The SQL condition of <paramref name="text"/>, binding its numbers in <paramref name="q"/>.</summary>
    /// <exception cref="PlanException">The text is not a condition over <paramref name="columns"/>; says the rule and the position.</exception>
    public static string ToSql(string rule, string text, IReadOnlySet<string> columns, SqlBuilder q)
    {
        return new RuleExpression(rule, text, columns, q).Run();
    }

    /// <summary>
    /// The condition as a function of a row of numbers (one per <paramref name="columns"/> entry, null for NULL) that is
    /// true where the SQL of <see cref="ToSql"/> is: NULL arithmetic and comparisons give NULL, division by zero gives
    /// NULL, and/or/not follow SQL's three-valued logic, and a NULL condition does not fire.
    /// </summary>
    /// <exception cref="PlanException">The text is not a condition over <paramref name="columns"/>.</exception>
    public static Func<double?[], bool> Compile(string rule, string text, IReadOnlyList<string> columns)
    {
        var e = new RuleExpression(rule, text, columns.ToHashSet(StringComparer.Ordinal), null, columns);
        e.Run();
        var eval = e._root!.Eval;
        return row => eval(row) == 1;
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
        var root = Or();
        var (sql, boolean) = (root.Sql, root.Boolean);
        _root = root;
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

    private Node Or()
    {
        var left = And();
        while (Accept("or"))
        {
            var (l, right) = (left, And());
            left = new($"({Boolean(l, "or")} OR {Boolean(right, "or")})", true, row => Or(l.Eval(row), right.Eval(row)));
        }
        return left;
    }

    private Node And()
    {
        var left = Not();
        while (Accept("and"))
        {
            var (l, right) = (left, Not());
            left = new($"({Boolean(l, "and")} AND {Boolean(right, "and")})", true, row => And(l.Eval(row), right.Eval(row)));
        }
        return left;
    }

    private Node Not()
    {
        var at = Here;
        if (!Accept("not")) return Comparison();
        Deeper(at);
        var node = Not();
        var inner = Boolean(node, "not");
        _depth--;
        return new($"(NOT {inner})", true, row => node.Eval(row) is { } v ? 1 - v : null);
    }

    private Node Comparison()
    {
        var at = Here;
        var left = Sum();
        if (Peek is { } t && t.Text is "<" or "<=" or ">" or ">=" or "=" or "!=" or "<>")
        {
            _next++;
            var right = Sum();
            if (left.Boolean || right.Boolean) throw Error(at, "a comparison compares numbers");
            Func<double, double, bool> compare = t.Text switch
            {
                "<" => (a, b) => a < b, "<=" => (a, b) => a <= b, ">" => (a, b) => a > b, ">=" => (a, b) => a >= b, "=" => (a, b) => a == b, _ => (a, b) => a != b,
            };
            return new($"({left.Sql} {(t.Text == "!=" ? "<>" : t.Text)} {right.Sql})", true,
                row => left.Eval(row) is { } a && right.Eval(row) is { } b ? (compare(a, b) ? 1 : 0) : null);
        }
        return left;
    }

    private Node Sum()
    {
        var left = Term();
        while (Peek is { } t && t.Text is "+" or "-")
        {
            _next++;
            var (l, right) = (left, Term());
            var plus = t.Text == "+";
            left = new($"({Number(l, t.At)} {t.Text} {Number(right, t.At)})", false, row => l.Eval(row) is { } a && right.Eval(row) is { } b ? (plus ? a + b : a - b) : null);
        }
        return left;
    }

    private Node Term()
    {
        var left = Unary();
        while (Peek is { } t && t.Text is "*" or "/")
        {
            _next++;
            var (l, node) = (left, Unary());
            var right = Number(node, t.At);
            left = t.Text == "*"
                ? new($"({Number(l, t.At)} * {right})", false, row => l.Eval(row) is { } a && node.Eval(row) is { } b ? a * b : null)
                : new($"({Number(l, t.At)} / nullif({right}, 0))", false, row => l.Eval(row) is { } a && node.Eval(row) is { } b && b != 0 ? a / b : null);
        }
        return left;
    }

    private Node Unary()
    {
        if (Peek is { Text: "-" } minus)
        {
            _next++;
            Deeper(minus.At);
            var node = Unary();
            var inner = Number(node, minus.At);
            _depth--;
            return new($"(-{inner})", false, row => -node.Eval(row));
        }
        return Primary();
    }

    private Node Primary()
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
        {
            var number = double.Parse(t.Text, NumberStyles.Float, CultureInfo.InvariantCulture);
            return new(_q?.Bind(number, DataKind.Number) ?? t.Text, false, _ => number);
        }
        if (IsName(t.Text[0]) && !Keywords.Contains(t.Text))
        {
            if (!_anyColumn && !_columns.Contains(t.Text))
                throw Error(t.At, $"unknown column '{t.Text}'{(_columns.Count > 0 ? $" (columns: {string.Join(", ", _columns.Order(StringComparer.Ordinal).Take(60))})" : "")}");
            var slot = _slots is null ? -1 : IndexOf(_slots, t.Text);
            return new($"CAST({_q?.Quote(t.Text) ?? t.Text} AS DOUBLE PRECISION)", false, row => slot >= 0 ? row[slot] : null);
        }
        throw Error(t.At, $"unexpected '{t.Text}'");
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
            if (names[i] == name) return i;
        return -1;
    }

    // SQL's three-valued logic with 1 for true, 0 for false and null for NULL.
    private static double? And(double? a, double? b) => a == 0 || b == 0 ? 0 : a is null || b is null ? null : 1;

    private static double? Or(double? a, double? b) => a == 1 || b == 1 ? 1 : a is null || b is null ? null : 0;

    private string Boolean(Node operand, string op) =>
        operand.Boolean ? operand.Sql : throw Error(Math.Max(0, Here - 1), $"'{op}' joins comparisons, not numbers");

    private string Number(Node operand, int at) =>
        operand.Boolean ? throw Error(at, "arithmetic needs numbers, not a comparison") : operand.Sql;
}
