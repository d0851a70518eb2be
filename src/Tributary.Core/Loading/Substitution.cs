using System.Globalization;
using System.Text.RegularExpressions;
using Tributary.Core.Diagnostics;
using Tributary.Core.Pipelines;
using Tributary.Core.Warehousing;
using Tributary.Core.Yaml;

namespace Tributary.Core.Loading;

/// <summary>
/// Expands <c>${param.NAME}</c>, <c>${env.NAME}</c>, <c>${project.timezone}</c> and, in partitioned pipelines,
/// <c>${partition.key|start|end|static}</c> in scalars; <c>$${</c> writes a literal <c>${</c>. In SQL text (<see cref="ExpandSql"/>) the values stay apart from the text.
/// Tributary's own variables (<see cref="ReservedVariables"/>) are refused.
/// </summary>
internal sealed partial class Substitution(IReadOnlyDictionary<string, string?> parameters, Func<string, string?> environment,
    IReadOnlyDictionary<string, string>? partition = null, IReadOnlyDictionary<string, ParamType>? types = null,
    IReadOnlySet<string>? reserved = null, string timezone = "UTC")
{
    private readonly Dictionary<string, string> _environmentValues = new(StringComparer.Ordinal);

    /// <summary>The value each <c>${env.NAME}</c> expanded so far took, by name: what a run masks in its errors and logs.</summary>
    public IReadOnlyDictionary<string, string> EnvironmentValues => _environmentValues;

    // A reference's braces hold at most SqlLexer.MaxReferenceLength characters, as the lexer reads them.
    [GeneratedRegex(@"\$\$\{|\$\{((?>[^}]{0,200}))\}")]
    private static partial Regex Reference();

    /// <summary>The expanded value, or null after adding a diagnostic for each bad reference.</summary>
    public string? Expand(YamlScalar scalar, ICollection<Diagnostic> diagnostics)
    {
        if (!scalar.Value.Contains('$', StringComparison.Ordinal)) return scalar.Value;
        var ok = true;
        var result = Reference().Replace(scalar.Value, m =>
        {
            if (m.Value == "$${") return "${";
            if (TryResolve(m.Groups[1].Value.Trim(), At(scalar, m.Index), diagnostics, out var value)) return value ?? "";
            ok = false;
            return m.Value;
        });
        return ok ? result : null;
    }

    /// <summary>
    /// The text with each <c>${param.NAME}</c> that has a value replaced by it and every other reference (<c>env</c>,
    /// <c>partition</c>, a param without a value, <c>$${</c>) kept as written: what a component is defined as, the same
    /// for every partition and environment.
    /// </summary>
    public string ExpandParams(string text) => !text.Contains('$', StringComparison.Ordinal) ? text : Reference().Replace(text, m =>
        m.Value != "$${" && m.Groups[1].Value.Trim() is var inner && inner.StartsWith("param.", StringComparison.Ordinal)
            && parameters.TryGetValue(inner["param.".Length..], out var value) && value is not null ? value : m.Value);

    /// <summary>
    /// SQL text with the values of its references kept apart from it (see <see cref="SqlText"/>), each typed as its
    /// param is; or null after adding a diagnostic for each bad reference: an unknown name, or one that cannot become a
    /// value where it stands (in a comment, a dollar-quoted or prefixed string, joined to a name).
    /// </summary>
    public SqlText? ExpandSql(YamlScalar scalar, ICollection<Diagnostic> diagnostics)
    {
        var text = scalar.Value;
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        var ok = true;
        foreach (var piece in SqlLexer.Split(text))
            foreach (var r in SqlLexer.References(text, piece.Start, piece.End))
            {
                if (r.Name is null) continue;
                var at = At(scalar, r.Start);
                var written = text.Substring(r.Start, r.Length);
                if (!TryResolve(r.Name, at, diagnostics, out var value))
                {
                    ok = false;
                    continue;
                }
                (string Message, string? Hint)? problem = piece.Region switch
                {
                    SqlRegion.Opaque => ($"'{written}' is inside {piece.What} in SQL, where a value cannot be quoted safely.",
                        "Use it bare (a bound value) or inside a plain '...' string; write '$${' for a literal '${'."),
                    SqlRegion.String or SqlRegion.Identifier when !piece.Closed => ($"'{written}' is inside {piece.What} that is never closed.", "Close the quote."),
                    SqlRegion.Code when Joined(text, r) => ($"'{written}' is joined to a name, but in SQL a reference stands for a value.",
                        $"For a name, quote all of it, e.g. \"t_{written}\"; for a value, put a space or operator beside it."),
                    _ when value?.Contains('\0', StringComparison.Ordinal) == true => ($"the value of '{written}' holds a NUL character, which SQL cannot carry.", null),
                    _ => null,
                };
                if (problem is { } p)
                {
                    diagnostics.Add(new Diagnostic(DiagnosticCodes.BadSubstitution, at, p.Message, p.Hint));
                    ok = false;
                    continue;
                }
                values[r.Name] = Typed(r.Name, value);
            }
        return ok ? new SqlText(text, values) : null;
    }

    // A value in the text a reference stands for: the param's own value, the environment variable, or the partition's.
    private bool TryResolve(string inner, SourceLocation at, ICollection<Diagnostic> diagnostics, out string? value)
    {
        value = null;
        if (inner.StartsWith("param.", StringComparison.Ordinal))
        {
            var name = inner["param.".Length..];
            // A param without a value had its own error (bad default or --param, or neither given); its uses add none.
            if (parameters.TryGetValue(name, out value)) return value is not null;
            diagnostics.Add(new Diagnostic(DiagnosticCodes.UndefinedParam, at,
                $"'${{{inner}}}' refers to no param '{name}'.{Suggest(name)}", "Declare it under 'params:'."));
        }
        else if (inner.StartsWith("env.", StringComparison.Ordinal))
        {
            var name = inner["env.".Length..];
            if (ReservedVariables.IsReserved(name, reserved ?? EmptySet))
                diagnostics.Add(ReservedVariables.Refused(name, at, $"'${{{inner}}}'"));
            else if (environment(name) is { } v)
            {
                value = v;
                _environmentValues[name] = v;
                return true;
            }
            else
                diagnostics.Add(new Diagnostic(DiagnosticCodes.UndefinedEnv, at,
                    $"environment variable '{name}' is not set.", $"Set it before running, e.g. export {name}=..."));
        }
        else if (inner.StartsWith("partition.", StringComparison.Ordinal))
        {
            var name = inner["partition.".Length..];
            if (partition is null)
                diagnostics.Add(new Diagnostic(DiagnosticCodes.BadSubstitution, at, $"'${{{inner}}}' needs 'partitions:' in the pipeline.", "Declare partitions, or remove the reference."));
            else if (partition.TryGetValue(name, out var v))
            {
                value = v;
                return true;
            }
            else
                diagnostics.Add(new Diagnostic(DiagnosticCodes.BadSubstitution, at, $"'${{{inner}}}' is not a partition value.{Components.NameSuggestion.Format(name, partition.Keys)}",
                    $"Partition values: {string.Join(", ", partition.Keys)}."));
        }
        else if (inner.StartsWith("project.", StringComparison.Ordinal))
        {
            if (inner == "project.timezone")
            {
                value = timezone;
                return true;
            }
            diagnostics.Add(new Diagnostic(DiagnosticCodes.BadSubstitution, at, $"'${{{inner}}}' is not a project value.", "Project values: timezone."));
        }
        else
        {
            diagnostics.Add(new Diagnostic(DiagnosticCodes.BadSubstitution, at,
                $"'${{{inner}}}' is neither '${{param.NAME}}', '${{env.NAME}}', '${{project.timezone}}' nor '${{partition.key}}'.", "Write '$${' for a literal '${'."));
        }
        return false;
    }

    private static readonly IReadOnlySet<string> EmptySet = new HashSet<string>();

    // A param reaches SQL as its declared type (its text was checked against the type when the params were read).
    private object? Typed(string reference, string? value)
    {
        if (value is null || !reference.StartsWith("param.", StringComparison.Ordinal) || types is null
            || !types.TryGetValue(reference["param.".Length..], out var type)) return value;
        return type switch
        {
            ParamType.Integer when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i) => i,
            ParamType.Number when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) => x,
            ParamType.Boolean when value is "true" or "false" => value == "true",
            _ => value,
        };
    }

    // Text glued to a reference would merge with the '$n' it becomes into another name.
    private static bool Joined(string text, SqlReference r) =>
        (r.Start > 0 && SqlLexer.IsWordChar(text[r.Start - 1])) || (r.Start + r.Length < text.Length && SqlLexer.IsWordChar(text[r.Start + r.Length]));

    private static SourceLocation At(YamlScalar scalar, int index) =>
        scalar.Location with { Column = scalar.Location.Column + index + (scalar.IsPlain ? 0 : 1) };

    private string Suggest(string name) => Components.NameSuggestion.Format(name, parameters.Keys);
}
