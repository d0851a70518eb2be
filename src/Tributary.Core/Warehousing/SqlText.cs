using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;

namespace Tributary.Core.Warehousing;

/// <summary>
/// SQL written in a pipeline (the value of a parameter typed <see cref="SqlText"/>, such as <c>transform.sql</c>'s
/// <c>sql</c>), kept as written together with the values of its <c>${param.*}</c>, <c>${env.*}</c>,
/// <c>${partition.*}</c> and <c>${project.timezone}</c> references, so that no value ever becomes SQL text. <see cref="Render"/> turns a bare reference
/// into a bound parameter (<c>$1, $2…</c>) and one inside a quoted string or name into part of a literal that the
/// dialect quotes; the loader refuses references anywhere else (comments, dollar-quoted or prefixed strings).
/// </summary>
[JsonConverter(typeof(SqlTextJsonConverter))]
public sealed class SqlText
{
    /// <summary>SQL with its references' values.</summary>
    /// <param name="template">The SQL as written, with <c>${...}</c> references and <c>$${</c> escapes.</param>
    /// <param name="values">Each reference's value by its name (e.g. <c>param.region</c>): text, a whole number, a real number, true/false, or null.</param>
    public SqlText(string template, IReadOnlyDictionary<string, object?>? values = null)
    {
        Template = template;
        Values = values ?? new Dictionary<string, object?>();
        foreach (var (name, value) in Values)
            if (value is not (null or string or long or double or bool))
                throw new ArgumentException($"the value of '{name}' is a {value.GetType().Name}; SQL values are text, long, double, bool or null.", nameof(values));
    }

    /// <summary>The SQL as written, references included.</summary>
    public string Template { get; }

    /// <summary>Each reference's value by name (<c>param.NAME</c>, <c>env.NAME</c>, <c>partition.key</c>…).</summary>
    public IReadOnlyDictionary<string, object?> Values { get; }

    /// <summary>
    /// The SQL for one engine: bare references become <c>$n</c> (one per distinct reference, numbered from
    /// <paramref name="firstParameter"/>) with their values in <see cref="SqlStatement.Parameters"/>; a quoted string or
    /// name holding references is rebuilt with their values and quoted again by <paramref name="dialect"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A reference has no value, sits where it cannot be quoted, or its value holds a NUL character.</exception>
    public SqlStatement Render(ISqlDialect dialect, int firstParameter = 1)
    {
        var sql = new StringBuilder(Template.Length);
        var parameters = new List<object?>();
        var numbers = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var piece in SqlLexer.Split(Template))
        {
            var references = SqlLexer.References(Template, piece.Start, piece.End).ToList();
            if (references.All(r => r.Name is null))
            {
                sql.Append(Unescape(piece.Start, piece.End));
                continue;
            }
            switch (piece.Region)
            {
                case SqlRegion.Code:
                    var at = piece.Start;
                    foreach (var r in references)
                    {
                        sql.Append(Unescape(at, r.Start));
                        if (r.Name is null) sql.Append("${");
                        else
                        {
                            if (!numbers.TryGetValue(r.Name, out var n))
                            {
                                numbers[r.Name] = n = firstParameter + parameters.Count;
                                parameters.Add(Value(r.Name));
                            }
                            sql.Append(dialect.Parameter(n));
                        }
                        at = r.Start + r.Length;
                    }
                    sql.Append(Unescape(at, piece.End));
                    break;
                case SqlRegion.String:
                    sql.Append(dialect.Literal(Content(piece, references, '\'')));
                    break;
                case SqlRegion.Identifier:
                    sql.Append(dialect.Quote(Content(piece, references, '"')));
                    break;
                default:
                    var first = references.First(r => r.Name is not null);
                    throw new ArgumentException($"'{Template.Substring(first.Start, first.Length)}' is inside {piece.What}, where a value cannot be quoted safely.");
            }
        }
        return new SqlStatement(sql.ToString(), parameters);
    }

    /// <summary>The SQL as written.</summary>
    public override string ToString() => Template;

    // What a quoted string or name holds once its references are replaced by their values; only the written parts carry doubled quotes.
    private string Content(SqlPiece piece, List<SqlReference> references, char quote)
    {
        if (!piece.Closed) throw new ArgumentException($"{piece.What} starting at offset {piece.Start} is never closed.");
        var doubled = new string(quote, 2);
        var single = quote.ToString();
        var content = new StringBuilder();
        var at = piece.Start + 1;
        foreach (var r in references)
        {
            content.Append(Template[at..r.Start].Replace(doubled, single, StringComparison.Ordinal));
            content.Append(r.Name is null ? "${" : Text(Value(r.Name)));
            at = r.Start + r.Length;
        }
        content.Append(Template[at..(piece.End - 1)].Replace(doubled, single, StringComparison.Ordinal));
        return content.ToString();
    }

    private string Unescape(int start, int end) => Template[start..end].Replace("$${", "${", StringComparison.Ordinal);

    private object? Value(string name)
    {
        if (!Values.TryGetValue(name, out var value)) throw new ArgumentException($"'${{{name}}}' has no value.");
        if (value is string s && s.Contains('\0', StringComparison.Ordinal)) throw new ArgumentException($"the value of '${{{name}}}' holds a NUL character, which SQL text cannot carry.");
        return value;
    }

    private static string Text(object? value) => value switch
    {
        null => "",
        bool b => b ? "true" : "false",
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}

/// <summary>SQL text for one engine and the values bound to its <c>$1, $2…</c>.</summary>
/// <param name="Sql">The statement text.</param>
/// <param name="Parameters">The values of <c>$1, $2…</c> in order.</param>
public sealed record SqlStatement(string Sql, IReadOnlyList<object?> Parameters);
