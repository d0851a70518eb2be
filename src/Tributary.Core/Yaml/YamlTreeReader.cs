using System.Globalization;
using Tributary.Core.Diagnostics;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tributary.Core.Yaml;

/// <summary>
/// Reads one YAML document into positioned nodes from YamlDotNet's event parser. Built on events rather
/// than YamlStream so that duplicate keys become diagnostics instead of one exception.
/// </summary>
/// <remarks>
/// Hostile input is bounded: at most <see cref="MaxChars"/> characters, collections nested at most <see cref="MaxDepth"/>
/// deep, and at most <see cref="MaxNodes"/> values counted as readers see them (an alias counts the whole node it
/// repeats, so aliases cannot multiply the work of whoever walks the tree). Beyond a limit the reader stops with one
/// positioned diagnostic.
/// </remarks>
public static partial class YamlTreeReader
{
    /// <summary>The longest text read, in characters (1 MiB); the largest shipped pipeline is under 5 KB.</summary>
    public const int MaxChars = 1 << 20;

    /// <summary>How deep mappings and lists may nest; a pipeline needs about 6.</summary>
    public const int MaxDepth = 64;

    /// <summary>How many errors the reader reports before it stops.</summary>
    public const int MaxErrors = 100;

    /// <summary>How many values a document may hold, aliases expanded; the largest shipped pipeline has about 350.</summary>
    public const int MaxNodes = 20_000;

    /// <summary>Parses <paramref name="text"/>; returns null and adds a diagnostic when it is not YAML or is beyond a limit.</summary>
    public static YamlNode? Read(string text, string file, ICollection<Diagnostic> diagnostics)
    {
        if (text.Length > MaxChars)
        {
            diagnostics.Add(TooLong(file));
            return null;
        }
        var parser = new GuardedParser(new Parser(new StringReader(text)));
        var state = new ReadState(file);
        try
        {
            parser.Consume<StreamStart>();
            if (parser.TryConsume<StreamEnd>(out _)) return null;
            parser.Consume<DocumentStart>();
            var root = ReadNode(parser, state, diagnostics, depth: 0).Node;
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
            var message = Clean(e.Message);
            var at = message.Contains("tab", StringComparison.OrdinalIgnoreCase) && FirstTabIndent(text, file, (int)e.Start.Line) is { } tab ? tab : At(file, e.Start);
            diagnostics.Add(new Diagnostic(DiagnosticCodes.MalformedYaml, at, $"malformed YAML: {message}."));
            return null;
        }
        catch (LimitExceeded e)
        {
            diagnostics.Add(e.Diagnostic);
            return null;
        }
    }

    /// <summary>The diagnostic for a file over <see cref="MaxChars"/>.</summary>
    public static Diagnostic TooLong(string file) =>
        new(DiagnosticCodes.TooLarge, SourceLocation.StartOf(file),
            $"the file is longer than {MaxChars.ToString("N0", CultureInfo.InvariantCulture)} characters (1 MiB), the most a pipeline file may hold.",
            "Split it into several pipelines.");

    // Returns the node and its size as a reader walking it would count it.
    private static (YamlNode Node, long Size) ReadNode(IParser parser, ReadState state, ICollection<Diagnostic> diagnostics, int depth)
    {
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            var at = At(state.File, alias.Start);
            if (!state.Anchors.TryGetValue(alias.Value.Value, out var target))
                throw new YamlException(alias.Start, alias.End, $"alias '*{alias.Value}' refers to no anchor");
            state.Count(target.Size, at);
            // Problems in the repeated node are reported where it is repeated.
            return (target.Node with { Location = at }, target.Size);
        }
        if (parser.TryConsume<Scalar>(out var scalar))
        {
            var node = new YamlScalar(scalar.Value, scalar.Style is ScalarStyle.Plain or ScalarStyle.Any, At(state.File, scalar.Start));
            state.Count(1, node.Location);
            Remember(scalar.Anchor, node, 1, state);
            return (node, 1);
        }
        if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var at = Enter(state, seqStart.Start, depth);
            var items = new List<YamlNode>();
            long size = 1;
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                var (item, itemSize) = ReadNode(parser, state, diagnostics, depth + 1);
                items.Add(item);
                size += itemSize;
            }
            var node = new YamlSequence(items, at);
            Remember(seqStart.Anchor, node, size, state);
            return (node, size);
        }
        var mapStart = parser.Consume<MappingStart>();
        var mapAt = Enter(state, mapStart.Start, depth);
        var entries = new List<KeyValuePair<YamlScalar, YamlNode>>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        long mapSize = 1;
        while (!parser.TryConsume<MappingEnd>(out _))
        {
            var (keyNode, keySize) = ReadNode(parser, state, diagnostics, depth + 1);
            var (value, valueSize) = ReadNode(parser, state, diagnostics, depth + 1);
            mapSize += keySize + valueSize;
            if (keyNode is not YamlScalar key)
            {
                state.Report(diagnostics, new Diagnostic(DiagnosticCodes.WrongType, keyNode.Location, $"a key must be a scalar, got {keyNode.KindName}."));
                // Stryker disable once Statement: without this continue 'key' is unassigned below; that mutant cannot compile
                continue;
            }
            if (!seen.Add(key.Value))
            {
                state.Report(diagnostics, new Diagnostic(DiagnosticCodes.DuplicateKey, key.Location, $"key '{Quoted(key.Value)}' appears twice in this mapping.", "Keep one of them."));
                continue;
            }
            entries.Add(new(key, value));
        }
        var mapping = new YamlMapping(entries, mapAt);
        Remember(mapStart.Anchor, mapping, mapSize, state);
        return (mapping, mapSize);
    }

    private static SourceLocation Enter(ReadState state, Mark start, int depth)
    {
        var at = At(state.File, start);
        if (depth >= MaxDepth)
            throw new LimitExceeded(new Diagnostic(DiagnosticCodes.TooLarge, at,
                $"nesting deeper than {MaxDepth} levels of mappings and lists.", "A pipeline needs only a few levels; look for unclosed '[' or '{'."));
        state.Count(1, at);
        return at;
    }

    // A key as a message quotes it: an alias may repeat a 1 MiB key thousands of times.
    private static string Quoted(string value) => value.Length <= 100 ? value : string.Concat(value.AsSpan(0, 100), "…");

    private static void Remember(AnchorName anchor, YamlNode node, long size, ReadState state)
    {
        if (!anchor.IsEmpty) state.Anchors[anchor.Value] = (node, size);
    }

    private static SourceLocation At(string file, Mark mark) => new(file, (int)mark.Line, (int)mark.Column);

    // YamlDotNet reports a tab in indentation where the enclosing scalar or mapping starts, often line 1; the tab is on a
    // later line. The first line from there whose indentation holds a tab, outside a block scalar ('sql: |' and the lines
    // indented under it, where a tab is text).
    private static SourceLocation? FirstTabIndent(string text, string file, int fromLine)
    {
        var lines = text.Split('\n');
        var blockIndent = -1;
        for (var n = 0; n < lines.Length; n++)
        {
            var line = lines[n].TrimEnd('\r');
            var spaces = 0;
            while (spaces < line.Length && line[spaces] == ' ') spaces++;
            if (blockIndent >= 0 && (spaces == line.Length || spaces > blockIndent)) continue;
            blockIndent = -1;
            if (n + 1 >= fromLine && spaces < line.Length && line[spaces] == '\t') return new SourceLocation(file, n + 1, spaces + 1);
            if (BlockScalarStart().IsMatch(line)) blockIndent = spaces;
        }
        return null;
    }

    // A line whose value is a block scalar's indicator: 'key: |', '- >-', 'sql: |2+ # comment'.
    [System.Text.RegularExpressions.GeneratedRegex(@"(^|[:\-]\s)\s*[|>][0-9+\-]*\s*(#.*)?$")]
    private static partial System.Text.RegularExpressions.Regex BlockScalarStart();

    // YamlDotNet prefixes messages with "(Line: 3, Col: 5, Idx: 20) - (...): "; the location is printed by us already.
    private static string Clean(string message)
    {
        var i = message.LastIndexOf("): ", StringComparison.Ordinal);
        var text = i >= 0 ? message[(i + 3)..] : message;
        return text.TrimEnd('.').Trim();
    }

    // YamlDotNet's own failures on odd input (an InvalidOperationException from its scanner, seen by the fuzz test)
    // become a YamlException at the last position read, so they are reported like any other malformed YAML.
    private sealed class GuardedParser(IParser parser) : IParser
    {
        private Mark _last = Mark.Empty;

        public ParsingEvent? Current => parser.Current;

        public bool MoveNext()
        {
            try
            {
                var moved = parser.MoveNext();
                if (parser.Current is { } current) _last = current.End;
                return moved;
            }
            catch (Exception e) when (e is not YamlException)
            {
                throw new YamlException(_last, _last, "the YAML parser cannot read past this point");
            }
        }
    }

    private sealed class ReadState(string file)
    {
        private long _nodes;

        public string File => file;
        public Dictionary<string, (YamlNode Node, long Size)> Anchors { get; } = new(StringComparer.Ordinal);

        private int _errors;

        // Past MaxErrors the read stops: each error is work and output, and a human reads the first few.
        public void Report(ICollection<Diagnostic> diagnostics, Diagnostic diagnostic)
        {
            if (++_errors > MaxErrors)
                throw new LimitExceeded(new Diagnostic(DiagnosticCodes.TooLarge, diagnostic.Location, $"more than {MaxErrors} errors; stopped here.", "Fix the others first."));
            diagnostics.Add(diagnostic);
        }

        public void Count(long nodes, SourceLocation at)
        {
            _nodes += nodes;
            if (_nodes > MaxNodes)
                throw new LimitExceeded(new Diagnostic(DiagnosticCodes.TooLarge, at,
                    $"the file holds more than {MaxNodes.ToString("N0", CultureInfo.InvariantCulture)} values (aliases count each time they are used).",
                    "Split it into several pipelines."));
        }
    }

    // Unwinds the recursive read at the first limit hit; never leaves this class.
    private sealed class LimitExceeded(Diagnostic diagnostic) : Exception(diagnostic.Message)
    {
        public Diagnostic Diagnostic => diagnostic;
    }
}
