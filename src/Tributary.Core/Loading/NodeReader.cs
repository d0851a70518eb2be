using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Yaml;

namespace Tributary.Core.Loading;

/// <summary>Reads typed values out of positioned YAML, adding a diagnostic for each problem instead of throwing.</summary>
internal sealed class NodeReader(string file, List<Diagnostic> diagnostics)
{
    /// <summary>Errors reported before the load stops; each costs work (suggestions), and a human reads the first few.</summary>
    public const int MaxDiagnostics = 100;

    public string File => file;
    public List<Diagnostic> Diagnostics => diagnostics;

    /// <summary>Adds a diagnostic; past <see cref="MaxDiagnostics"/> adds a last one and stops the load with <see cref="TooManyDiagnostics"/>.</summary>
    public void Error(string code, SourceLocation at, string message, string? hint = null)
    {
        if (diagnostics.Count >= MaxDiagnostics)
        {
            diagnostics.Add(new Diagnostic(DiagnosticCodes.TooLarge, at, $"more than {MaxDiagnostics} errors; stopped here.", "Fix the others first."));
            throw new TooManyDiagnostics();
        }
        diagnostics.Add(new Diagnostic(code, at, Shortened(message), hint is null ? null : Shortened(hint)));
    }

    // Messages quote the file; an alias can repeat a huge value many times, so each message is bounded.
    private static string Shortened(string text) => text.Length <= MaxMessageLength ? text : string.Concat(text.AsSpan(0, MaxMessageLength), "…");

    private const int MaxMessageLength = 1000;

    /// <summary>Stops a load that has reported <see cref="MaxDiagnostics"/> errors; the loader catches it.</summary>
    public sealed class TooManyDiagnostics : Exception
    {
        public TooManyDiagnostics() : base("too many diagnostics") { }
    }

    public YamlMapping? Mapping(YamlNode? node, string what)
    {
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlMapping m) return m;
        Error(DiagnosticCodes.WrongType, node.Location, $"{what} must be a mapping, got {node.KindName}.");
        return null;
    }

    public YamlSequence? Sequence(YamlNode? node, string what)
    {
        if (node is null || node is YamlScalar { IsNull: true }) return null;
        if (node is YamlSequence s) return s;
        Error(DiagnosticCodes.WrongType, node.Location, $"{what} must be a list, got {node.KindName}.");
        return null;
    }

    /// <summary>Reports keys outside <paramref name="allowed"/>, with a suggestion.</summary>
    public void CheckKeys(YamlMapping mapping, string what, IReadOnlyCollection<string> allowed)
    {
        foreach (var (key, _) in mapping.Entries)
        {
            if (allowed.Contains(key.Value)) continue;
            var suggestion = NameSuggestion.Closest(key.Value, allowed);
            Error(DiagnosticCodes.UnknownKey, key.Location,
                suggestion is null ? $"unknown key '{key.Value}' in {what}." : $"unknown key '{key.Value}' in {what}. Did you mean '{suggestion}'?",
                suggestion is null ? $"Allowed keys: {string.Join(", ", allowed)}." : null);
        }
    }

    public YamlScalar? Scalar(YamlMapping mapping, string key, string what, bool required = false)
    {
        var node = mapping[key];
        if (node is null || node is YamlScalar { IsNull: true })
        {
            if (required) Error(DiagnosticCodes.MissingKey, mapping.Location, $"{what} is missing required key '{key}'.");
            return null;
        }
        if (node is YamlScalar s) return s;
        Error(DiagnosticCodes.WrongType, node.Location, $"'{key}' in {what} must be a scalar, got {node.KindName}.");
        return null;
    }

    public string? Text(YamlMapping mapping, string key, string what, bool required = false) =>
        Scalar(mapping, key, what, required)?.Value;

    public int? Integer(YamlMapping mapping, string key, string what, int min, int max)
    {
        if (Scalar(mapping, key, what) is not { } s) return null;
        if (!int.TryParse(s.Value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            Error(DiagnosticCodes.WrongType, s.Location, $"'{key}' must be a whole number, got '{s.Value}'.");
            return null;
        }
        if (v < min || v > max)
        {
            Error(DiagnosticCodes.OutOfRange, s.Location, $"'{key}' must be between {min} and {max}, got {v}.");
            return null;
        }
        return v;
    }

    public bool? Boolean(YamlMapping mapping, string key, string what)
    {
        if (Scalar(mapping, key, what) is not { } s) return null;
        if (s.Value is "true" or "false") return s.Value == "true";
        Error(DiagnosticCodes.WrongType, s.Location, $"'{key}' must be true or false, got '{s.Value}'.");
        return null;
    }

    public TimeSpan? Duration(YamlMapping mapping, string key, string what, bool allowZero = false)
    {
        if (Scalar(mapping, key, what) is not { } s) return null;
        if (Durations.TryParsePositive(s.Value, out var d, out var expected, allowZero)) return d;
        Error(DiagnosticCodes.BadTime, s.Location, $"'{key}' must be {expected}, got '{s.Value}'.");
        return null;
    }

    public T? OneOf<T>(YamlMapping mapping, string key, string what, IReadOnlyDictionary<string, T> values, bool required = false) where T : struct
    {
        if (Scalar(mapping, key, what, required) is not { } s) return null;
        if (values.TryGetValue(s.Value, out var v)) return v;
        Error(DiagnosticCodes.NotAllowed, s.Location,
            $"'{key}' must be one of {string.Join(", ", values.Keys)}, got '{s.Value}'.{NameSuggestion.Format(s.Value, values.Keys)}");
        return null;
    }

    public List<string> TextList(YamlNode? node, string what)
    {
        var list = new List<string>();
        if (node is YamlScalar { IsNull: false } single)
        {
            list.Add(single.Value);
            return list;
        }
        foreach (var item in Sequence(node, what)?.Items ?? [])
        {
            if (item is YamlScalar { IsNull: false } s) list.Add(s.Value);
            else Error(DiagnosticCodes.WrongType, item.Location, $"items of {what} must be scalars, got {item.KindName}.");
        }
        return list;
    }
}
