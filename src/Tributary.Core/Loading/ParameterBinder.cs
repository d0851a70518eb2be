using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Yaml;

namespace Tributary.Core.Loading;

/// <summary>
/// Turns a component's <c>with:</c> mapping into its parameters record, reporting every problem at its position; output paths are
/// checked against the project's paths when given (null where the text has no project).
/// </summary>
internal sealed class ParameterBinder(NodeReader reader, Substitution substitution, Projects.ProjectPaths? paths = null)
{
    public object? Bind(ComponentDescriptor type, string componentId, YamlMapping? with, bool withIsInvalid, Diagnostics.SourceLocation componentAt)
    {
        if (withIsInvalid) return null;
        var before = reader.Diagnostics.Count;
        var what = $"component '{componentId}' ({type.TypeName})";
        var values = new JsonObject();
        var byName = type.Parameters.ToDictionary(p => p.Name, StringComparer.Ordinal);
        var suggested = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, node) in with?.Entries ?? [])
        {
            if (!byName.TryGetValue(key.Value, out var parameter))
            {
                if (NameSuggestion.Closest(key.Value, byName.Keys) is { } closest) suggested.Add(closest);
                reader.Error(DiagnosticCodes.UnknownParameter, key.Location,
                    $"{what} has no parameter '{key.Value}'.{NameSuggestion.Format(key.Value, byName.Keys)}",
                    $"Run 'trib schema {type.TypeName}' to see its parameters.");
                continue;
            }
            if (node is YamlScalar { IsNull: true }) continue;
            if (Read(parameter, node) is not { } value) continue;
            values[parameter.Name] = value;
            if (parameter.IsOutputPath && paths is not null && value.GetValueKind() == JsonValueKind.String) CheckOutputPath(what, key, value.GetValue<string>());
            if (parameter.IsTimeZone && value.GetValueKind() == JsonValueKind.String && !TimeZoneInfo.TryFindSystemTimeZoneById(value.GetValue<string>(), out _))
                reader.Error(DiagnosticCodes.BadTimezone, node.Location, $"{what}: parameter '{key.Value}': unknown timezone '{value.GetValue<string>()}'.",
                    "Use an IANA name such as UTC, Europe/Berlin or America/New_York.");
        }
        foreach (var missing in type.Parameters.Where(p => p.Required && !values.ContainsKey(p.Name)))
        {
            // Already reported: a bad value, a misspelled key pointing here, or a 'with' that is not a mapping.
            if (with?.KeyNode(missing.Name) is not null || suggested.Contains(missing.Name) || withIsInvalid) continue;
            reader.Error(DiagnosticCodes.MissingKey, with?.Location ?? componentAt,
                $"{what} is missing required parameter '{missing.Name}'.", missing.Description is null ? null : $"{missing.Name}: {missing.Description.TrimEnd('.')}.");
        }
        if (reader.Diagnostics.Count > before) return null;

        object bound;
        try
        {
            bound = type.Bind(values);
        }
        catch (JsonException e)
        {
            // The serializer's text names .NET types; say which parameter instead.
            reader.Error(DiagnosticCodes.WrongType, with?.Location ?? componentAt, $"{what}: parameter '{e.Path?.TrimStart('$', '.')}' does not fit its type.",
                $"Run 'trib schema {type.TypeName}' to see its parameters.");
            return null;
        }
        if (bound is IValidatableObject validatable)
            foreach (var result in validatable.Validate(new ValidationContext(bound)))
            {
                var at = result.MemberNames.Select(m => with?.KeyNode(JsonNamingPolicy.SnakeCaseLower.ConvertName(m))?.Location).FirstOrDefault(l => l is not null);
                reader.Error(DiagnosticCodes.NotAllowed, at ?? with?.Location ?? componentAt, $"{what}: {result.ErrorMessage}");
            }
        return reader.Diagnostics.Count > before ? null : bound;
    }

    // As the run will resolve it, so that saving a pipeline that writes tributary.yaml fails at the key, not at the run.
    private void CheckOutputPath(string what, YamlScalar key, string path)
    {
        try
        {
            paths!.ResolveOutput(path);
        }
        catch (Exception e) when (e is UnauthorizedAccessException or IOException or ArgumentException or NotSupportedException)
        {
            reader.Error(DiagnosticCodes.ForbiddenPath, key.Location, $"{what}: parameter '{key.Value}': {e.Message}");
        }
    }

    private JsonNode? Read(ParameterDescriptor p, YamlNode node)
    {
        switch (p.Kind)
        {
            case ParameterKind.StringList:
                if (node is YamlScalar single) return Expand(single) is { } one ? new JsonArray(JsonValue.Create(one)) : null;
                if (node is not YamlSequence seq) return WrongType(p, node, "a list");
                var items = new JsonArray();
                foreach (var item in seq.Items)
                {
                    if (item is not YamlScalar s) return WrongType(p, item, "a list of scalars");
                    if (Expand(s) is { } v) items.Add(v);
                }
                return items;
            case ParameterKind.NumberList:
                if (node is not YamlSequence numbers) return WrongType(p, node, "a list of numbers");
                var values = new JsonArray();
                foreach (var item in numbers.Items)
                {
                    if (item is not YamlScalar s) return WrongType(p, item, "a list of numbers");
                    if (Expand(s) is not { } text) continue;
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !double.IsFinite(v))
                        return Mistyped(p, s.Location, text, "a list of numbers");
                    if (!InRange(p, s.Location, v)) return null;
                    values.Add(v);
                }
                return values;
            case ParameterKind.StringMap:
                if (node is not YamlMapping map) return WrongType(p, node, "a mapping");
                var obj = new JsonObject();
                foreach (var (k, v) in map.Entries)
                {
                    if (v is not YamlScalar s) return WrongType(p, v, "a mapping of scalars");
                    if (Expand(s) is { } text) obj[k.Value] = text;
                }
                return obj;
            case ParameterKind.NumberMap:
                if (node is not YamlMapping numberMap) return WrongType(p, node, "a mapping of names to numbers");
                var numbersByName = new JsonObject();
                foreach (var (k, v) in numberMap.Entries)
                {
                    if (v is not YamlScalar s) return WrongType(p, v, "a mapping of names to numbers");
                    if (Expand(s) is not { } text) continue;
                    if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x))
                        return Mistyped(p, s.Location, text, "a mapping of names to numbers");
                    if (!InRange(p, s.Location, x)) return null;
                    numbersByName[k.Value] = x;
                }
                return numbersByName;
            case ParameterKind.MapList:
                if (node is not YamlSequence entries) return WrongType(p, node, "a list of mappings");
                var list = new JsonArray();
                foreach (var entry in entries.Items)
                {
                    if (entry is not YamlMapping fields) return WrongType(p, entry, "a list of mappings");
                    var item = new JsonObject();
                    foreach (var (k, v) in fields.Entries)
                    {
                        if (v is YamlSequence several && p.FieldsTakeLists)
                        {
                            var texts = new JsonArray();
                            foreach (var one in several.Items)
                            {
                                if (one is not YamlScalar s1) return WrongType(p, one, "a list of mappings of scalars or lists of scalars");
                                if (Expand(s1) is { } text1) texts.Add(text1);
                            }
                            item[k.Value] = texts;
                            continue;
                        }
                        if (v is not YamlScalar s) return WrongType(p, v, p.FieldsTakeLists ? "a list of mappings of scalars or lists of scalars" : "a list of mappings of scalars");
                        if (Expand(s) is { } text) item[k.Value] = text;
                    }
                    list.Add(item);
                }
                return list;
        }
        if (node is not YamlScalar scalar) return WrongType(p, node, "a scalar");
        if (p.Kind == ParameterKind.Sql)
            return substitution.ExpandSql(scalar, reader.Diagnostics) is { } sql ? JsonSerializer.SerializeToNode(sql, ComponentDescriptor.JsonOptions) : null;
        if (Expand(scalar) is not { } raw) return null;
        var at = scalar.Location;
        switch (p.Kind)
        {
            case ParameterKind.String:
                if (p.Allowed.Count > 0 && !p.Allowed.Contains(raw)) return NotAllowed(p, at, raw);
                return JsonValue.Create(raw);
            case ParameterKind.Enum:
                return p.Allowed.Contains(raw) ? JsonValue.Create(raw) : NotAllowed(p, at, raw);
            case ParameterKind.Boolean:
                return raw is "true" or "false" ? JsonValue.Create(raw == "true") : Mistyped(p, at, raw, "true or false");
            case ParameterKind.Duration:
                return Durations.TryParsePositive(raw, out var d, out var expected) ? JsonValue.Create(d.ToString("c", CultureInfo.InvariantCulture))
                    : Mistyped(p, at, raw, expected);
            case ParameterKind.Integer:
                if (!long.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var i)) return Mistyped(p, at, raw, "a whole number");
                return InRange(p, at, i) ? JsonValue.Create(i) : null;
            case ParameterKind.Number:
                if (!double.TryParse(raw, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x))
                    return Mistyped(p, at, raw, "a number");
                return InRange(p, at, x) ? JsonValue.Create(x) : null;
            default:
                throw new System.Diagnostics.UnreachableException(p.Kind.ToString());
        }
    }

    private string? Expand(YamlScalar s) => substitution.Expand(s, reader.Diagnostics);

    private bool InRange(ParameterDescriptor p, Diagnostics.SourceLocation at, double v)
    {
        if ((p.Min is null || v >= p.Min) && (p.Max is null || v <= p.Max)) return true;
        reader.Error(DiagnosticCodes.OutOfRange, at, $"parameter '{p.Name}' must be {RangeText(p)}, got {v.ToString(CultureInfo.InvariantCulture)}.");
        return false;
    }

    private static string RangeText(ParameterDescriptor p) =>
        p.Min is { } lo && p.Max is { } hi ? $"between {lo.ToString(CultureInfo.InvariantCulture)} and {hi.ToString(CultureInfo.InvariantCulture)}"
        : p.Min is { } min ? $"at least {min.ToString(CultureInfo.InvariantCulture)}" : $"at most {p.Max!.Value.ToString(CultureInfo.InvariantCulture)}";

    private JsonNode? NotAllowed(ParameterDescriptor p, Diagnostics.SourceLocation at, string raw)
    {
        reader.Error(DiagnosticCodes.NotAllowed, at,
            $"parameter '{p.Name}' must be one of {string.Join(", ", p.Allowed)}, got '{raw}'.{NameSuggestion.Format(raw, p.Allowed)}");
        return null;
    }

    private JsonNode? Mistyped(ParameterDescriptor p, Diagnostics.SourceLocation at, string raw, string expected)
    {
        reader.Error(DiagnosticCodes.WrongType, at, $"parameter '{p.Name}' must be {expected}, got '{raw}'.");
        return null;
    }

    private JsonNode? WrongType(ParameterDescriptor p, YamlNode node, string expected)
    {
        reader.Error(DiagnosticCodes.WrongType, node.Location, $"parameter '{p.Name}' must be {expected}, got {node.KindName}.");
        return null;
    }
}
