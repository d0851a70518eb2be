using System.Text;
using Tributary.Core.Yaml;

namespace Tributary.Core.Loading;

/// <summary>
/// The canonical text of what a component computes: its type, inputs, <c>with</c> and <c>partition_mapping</c>, with
/// the params' defaults in place, keys sorted and YAML's layout (flow or block, quoting) gone. Its id, description, checks and
/// pool are left out: they change neither the table nor what it is built from.
/// </summary>
internal static class ComponentDefinition
{
    private static readonly string[] Keys = ["type", "inputs", "with", "partition_mapping"];

    /// <summary>
    /// The definition text; with the project's zone when the component depends on it (<paramref name="readsZone"/>, or
    /// <c>${project.timezone}</c> in its settings) and it is not UTC, so a UTC project's definitions stay as they were.
    /// </summary>
    public static string Of(YamlMapping component, Substitution substitution, bool readsZone = false, string projectZone = "UTC")
    {
        var text = new StringBuilder();
        foreach (var key in Keys)
        {
            text.Append(key).Append('=');
            Write(component[key], substitution, text);
            text.Append('\n');
        }
        var usesZone = readsZone || text.ToString().Contains("${project.timezone}", StringComparison.Ordinal);
        if (usesZone && !(TimeZoneInfo.TryFindSystemTimeZoneById(projectZone, out var zone) && Warehousing.SqlBuilder.IsUtc(zone)))
            text.Append("timezone=").Append(projectZone).Append('\n');
        return text.ToString();
    }

    /// <summary>
    /// The component's <c>with</c> as JSON (keys sorted, every scalar a string) with the run's params in place; env and
    /// partition references stay as written, so no secret is recorded.
    /// </summary>
    public static string With(YamlMapping component, Substitution substitution)
    {
        var text = new StringBuilder();
        Write(component["with"] is YamlMapping with ? with : null, substitution, text);
        return text.Length == 0 || text.ToString() == "null" ? "{}" : text.ToString();
    }

    private static void Write(YamlNode? node, Substitution substitution, StringBuilder text)
    {
        switch (node)
        {
            case null or YamlScalar { IsNull: true }:
                text.Append("null");
                break;
            case YamlScalar s:
                text.Append(System.Text.Json.JsonSerializer.Serialize(substitution.ExpandParams(s.Value)));
                break;
            case YamlSequence seq:
                text.Append('[');
                for (var i = 0; i < seq.Items.Count; i++)
                {
                    if (i > 0) text.Append(',');
                    Write(seq.Items[i], substitution, text);
                }
                text.Append(']');
                break;
            case YamlMapping map:
                text.Append('{');
                var first = true;
                foreach (var (key, value) in map.Entries.OrderBy(e => e.Key.Value, StringComparer.Ordinal))
                {
                    if (!first) text.Append(',');
                    first = false;
                    text.Append(System.Text.Json.JsonSerializer.Serialize(key.Value)).Append(':');
                    Write(value, substitution, text);
                }
                text.Append('}');
                break;
        }
    }
}
