using Tributary.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tributary.Core.Yaml;

/// <summary>
/// Reads one YAML document into positioned nodes from YamlDotNet's event parser. Built on events rather
/// than YamlStream so that duplicate keys become diagnostics instead of one exception.
/// </summary>
public static class YamlTreeReader
{
    /// <summary>Parses <paramref name="text"/>; returns null and adds a diagnostic when it is not YAML.</summary>
    public static YamlNode? Read(string text, string file, ICollection<Diagnostic> diagnostics)
    {
        var parser = new Parser(new StringReader(text));
        var anchors = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, file, anchors, diagnostics);
            parser.Consume<DocumentEnd>();
            if (!parser.Accept<StreamEnd>(out _))
            {
                var next = parser.Current!;
                diagnostics.Add(new Diagnostic(DiagnosticCodes.MalformedYaml, At(file, next.Start),
                    "a pipeline file holds one YAML document, found a second one.", "Remove the '---' separator or split the file."));
                return null;
            }
            return root;
        }
        catch (YamlException e)
        {
            diagnostics.Add(new Diagnostic(DiagnosticCodes.MalformedYaml, At(file, e.Start), $"malformed YAML: {Clean(e.Message)}."));
            return null;
        }
    }

    private static YamlNode ReadNode(IParser parser, string file, Dictionary<string, YamlNode> anchors, ICollection<Diagnostic> diagnostics)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (anchors.TryGetValue(alias.Value.Value, out var target)) return target;
            throw new YamlException(alias.Start, alias.End, $"alias '*{alias.Value}' refers to no anchor");
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var node = new YamlScalar(scalar.Value, scalar.Style is ScalarStyle.Plain or ScalarStyle.Any, At(file, scalar.Start));
            Remember(scalar.Anchor, node, anchors);
            return node;
        }
        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var items = new List<YamlNode>();
            while (!parser.TryConsume<SequenceEnd>(out _)) items.Add(ReadNode(parser, file, anchors, diagnostics));
            var node = new YamlSequence(items, At(file, seqStart.Start));
            Remember(seqStart.Anchor, node, anchors);
            return node;
        }
        var mapStart = parser.Consume<MappingStart>();
        var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var keyNode = ReadNode(parser, file, anchors, diagnostics);
            var value = ReadNode(parser, file, anchors, diagnostics);
            if (keyNode is not YamlScalar key)
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.WrongType, keyNode.Location, $"a key must be a scalar, got {keyNode.KindName}."));
                // Stryker disable once Statement: without this continue 'key' is unassigned below; that mutant cannot compile
                continue;
            }
            if (!seen.Add(key.Value))
            {
                diagnostics.Add(new Diagnostic(DiagnosticCodes.DuplicateKey, key.Location, $"key '{key.Value}' appears twice in this mapping.", "Keep one of them."));
                continue;
            }
            entries.Add(new(key, value));
        }
        var mapping = new YamlMapping(entries, At(file, mapStart.Start));
        Remember(mapStart.Anchor, mapping, anchors);
        return mapping;
    }

    private static void Remember(AnchorName anchor, YamlNode node, Dictionary<string, YamlNode> anchors)
    {
        if (!anchor.IsEmpty) anchors[anchor.Value] = node;
    }

    private static SourceLocation At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; the location is printed by us already.
    private static string Clean(string message)
    {
        var i = message.LastIndexOf("): ", StringComparison.Ordinal);
        var text = i >= 0 ? message[(i + 3)..] : message;
        return text.TrimEnd('.').Trim();
    }
}
