using System.Text;
using System.Text.RegularExpressions;
using Tributary.Core.Diagnostics;
using Tributary.Core.Yaml;

namespace Tributary.Core.Loading;

/// <summary>
/// Expands <c>${param.NAME}</c>, <c>${env.NAME}</c> and, in partitioned pipelines, <c>${partition.key|start|end|static}</c>
/// in scalars; <c>$${</c> writes a literal <c>${</c>.
/// </summary>
internal sealed partial class Substitution(IReadOnlyDictionary<string, string?> parameters, Func<string, string?> environment,
    IReadOnlyDictionary<string, string>? partition = null)
{
    [GeneratedRegex(@"\$\$\{|\$\{([^}]*)\}")]
    private static partial Regex Reference();

    /// <summary>The expanded value, or null after adding a diagnostic for each bad reference.</summary>
    public string? Expand(YamlScalar scalar, ICollection<Diagnostic> diagnostics)
    {
        if (!scalar.Value.Contains('$', StringComparison.Ordinal)) return scalar.Value;
        var ok = true;
        var result = Reference().Replace(scalar.Value, m =>
        {
            if (m.Value == "$${") return "${";
            var inner = m.Groups[1].Value.Trim();
            var at = scalar.Location with { Column = scalar.Location.Column + m.Index + (scalar.IsPlain ? 0 : 1) };
            if (inner.StartsWith("param.", StringComparison.Ordinal))
            {
                var name = inner["param.".Length..];
                if (parameters.TryGetValue(name, out var v)) return v ?? "";
                diagnostics.Add(new Diagnostic(DiagnosticCodes.UndefinedParam, at,
                    $"'${{{inner}}}' refers to no param '{name}'.{Suggest(name)}", "Declare it under 'params:'."));
            }
            else if (inner.StartsWith("env.", StringComparison.Ordinal))
            {
                var name = inner["env.".Length..];
                if (environment(name) is { } v) return v;
                diagnostics.Add(new Diagnostic(DiagnosticCodes.UndefinedEnv, at,
                    $"environment variable '{name}' is not set.", $"Set it before running, e.g. export {name}=..."));
            }
            else if (inner.StartsWith("partition.", StringComparison.Ordinal))
            {
                var name = inner["partition.".Length..];
                if (partition is null)
                    diagnostics.Add(new Diagnostic(DiagnosticCodes.BadSubstitution, at, $"'${{{inner}}}' needs 'partitions:' in the pipeline.", "Declare partitions, or remove the reference."));
                else if (partition.TryGetValue(name, out var v)) return v;
                else
                    diagnostics.Add(new Diagnostic(DiagnosticCodes.BadSubstitution, at, $"'${{{inner}}}' is not a partition value.{Components.NameSuggestion.Format(name, partition.Keys)}",
                        $"Partition values: {string.Join(", ", partition.Keys)}."));
            }
            else
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.BadSubstitution, at,
                    $"'${{{inner}}}' is neither '${{param.NAME}}', '${{env.NAME}}' nor '${{partition.key}}'.", "Write '$${' for a literal '${'."));
            }
            ok = false;
            return m.Value;
        });
        return ok ? result : null;
    }

    private string Suggest(string name) => Components.NameSuggestion.Format(name, parameters.Keys);

    /// <summary>True when the text contains a reference (used to tell users where a value came from).</summary>
    public static bool HasReference(string text) => text.Contains("${", StringComparison.Ordinal);

    internal static string Escape(string text) => new StringBuilder(text).Replace("${", "$${").ToString();
}
