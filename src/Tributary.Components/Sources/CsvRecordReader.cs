using System.Globalization;
using System.Text;

namespace Tributary.Components.Sources;

/// <summary>One CSV record: its fields, or why it is malformed, with the line it starts on and its raw text.</summary>
internal readonly record struct CsvRecord(long Line, string Raw, string[]? Fields, string? Problem);

/// <summary>
/// Splits source lines into RFC 4180 records (quoted fields may hold delimiters, doubled quotes and line breaks) and
/// resynchronises after a broken one: when a quote opened on line L never closes (end of file, the record limit, a line that
/// cannot be decoded, or a multi-line record of the wrong width), only line L is rejected and reading resumes on line L+1,
/// so one stray quote costs one record instead of the rest of the file. Blank lines between records are skipped.
/// </summary>
/// <param name="lines">The file's lines, e.g. from <see cref="SourceLineReader"/>.</param>
/// <param name="delimiter">The field delimiter.</param>
/// <param name="maxRecordBytes">Longest record, all its lines together.</param>
/// <param name="strayQuotesAreErrors">Whether a quote inside an unquoted field (<c>5" screen</c>) is malformed or kept as text.</param>
internal sealed class CsvRecordReader(IEnumerable<SourceLine> lines, char delimiter, int maxRecordBytes, bool strayQuotesAreErrors)
{
    /// <summary>Largest record by default: 1 MiB, far above any export row, far below what would strain memory.</summary>
    public const int DefaultMaxRecordBytes = 1 << 20;

    /// <summary>Fields a record must have once the header is known; a multi-line record of another width is a quote that never closed.</summary>
    public int? Width { get; set; }

    /// <summary>Whether <paramref name="fields"/> fits a header of <paramref name="width"/> fields (extra empty trailing fields are tolerated).</summary>
    public static bool Fits(string[] fields, int width) =>
        fields.Length == width || (fields.Length > width && fields.Skip(width).All(string.IsNullOrEmpty));

    /// <summary>The records, lazily; each line of the file ends up in exactly one record or rejection, except blank lines.</summary>
    public IEnumerable<CsvRecord> Read()
    {
        var replay = new LinkedList<SourceLine>();
        using var source = lines.GetEnumerator();
        bool Next(out SourceLine line)
        {
            if (replay.First is { } first)
            {
                line = first.Value;
                replay.RemoveFirst();
                return true;
            }
            var more = source.MoveNext();
            line = more ? source.Current : default;
            return more;
        }

        var parser = new Parser(delimiter, strayQuotesAreErrors);
        while (Next(out var first))
        {
            // A line that cannot be decoded is rejected, but its (lossy) text still says whether it opens a multi-line record,
            // whose continuation lines belong to that rejection rather than being read as records of their own.
            var unreadable = first.Problem;
            if (unreadable is not null && first.Cut)
            {
                yield return new CsvRecord(first.Number, first.Text, null, unreadable);
                continue;
            }
            if (unreadable is null && string.IsNullOrWhiteSpace(first.Text)) continue;
            parser.Start(first.Text);
            if (parser.Complete)
            {
                yield return unreadable is not null ? new CsvRecord(first.Number, first.Text, null, unreadable)
                    : parser.Problem is { } problem ? new CsvRecord(first.Number, first.Text, null, problem)
                    : new CsvRecord(first.Number, first.Text, parser.Fields(), null);
                continue;
            }

            // A quoted field runs on: take lines until it closes, or give up on line 'first' alone and replay the rest.
            var taken = new List<SourceLine>();
            var raw = new StringBuilder(first.Text);
            var bytes = first.Bytes;
            string? broken = null;
            while (broken is null && !parser.Complete)
            {
                if (!Next(out var next))
                    broken = $"the quote opened in field {parser.OpenedField} never closes (the file ends first)";
                else
                {
                    taken.Add(next);
                    bytes += next.Bytes + 1;
                    if (next.Problem is not null)
                        broken = $"the quote opened in field {parser.OpenedField} is still open at line {next.Number}, which cannot be read: {next.Problem}";
                    else if (bytes > maxRecordBytes)
                        broken = string.Create(CultureInfo.InvariantCulture,
                            $"the quote opened in field {parser.OpenedField} runs past {maxRecordBytes} bytes (max_record_bytes) without closing");
                    else
                    {
                        parser.Continue(next.Text);
                        raw.Append('\n').Append(next.Text);
                    }
                }
            }
            if (broken is null && parser.Problem is { } late)
                broken = $"{late}, in a record that runs over {taken.Count + 1} lines";
            var fields = broken is null ? parser.Fields() : null;
            if (fields is not null && Width is { } width && !Fits(fields, width))
                broken = $"the quote opened in field {parser.OpenedField} runs over {taken.Count + 1} lines into a record of {fields.Length} fields where the header has {width}; it probably never closes";
            if (broken is null)
            {
                yield return unreadable is null
                    ? new CsvRecord(first.Number, raw.ToString(), fields, null)
                    : new CsvRecord(first.Number, raw.ToString(), null, $"{unreadable} (a record that runs over {taken.Count + 1} lines)");
                continue;
            }
            yield return new CsvRecord(first.Number, first.Text, null, unreadable ?? broken);
            for (var i = taken.Count - 1; i >= 0; i--) replay.AddFirst(taken[i]);
        }
    }

    /// <summary>The field state machine, fed one line at a time so a long multi-line record is scanned once.</summary>
    private sealed class Parser(char delimiter, bool strayQuotesAreErrors)
    {
        private enum State { FieldStart, Unquoted, Quoted, QuoteInQuoted }

        private readonly List<string> _fields = [];
        private readonly StringBuilder _field = new();
        private State _state;

        public bool Complete { get; private set; }
        public string? Problem { get; private set; }
        public int OpenedField { get; private set; }

        public void Start(string line)
        {
            _fields.Clear();
            _field.Clear();
            _state = State.FieldStart;
            Problem = null;
            Complete = false;
            Feed(line);
        }

        public void Continue(string line)
        {
            _field.Append('\n');
            Feed(line);
        }

        public string[] Fields() => [.. _fields];

        private void Feed(string line)
        {
            for (var at = 0; at < line.Length; at++)
            {
                var c = line[at];
                switch (_state)
                {
                    case State.FieldStart when c == '"':
                        _state = State.Quoted;
                        OpenedField = _fields.Count + 1;
                        break;
                    case State.FieldStart or State.Unquoted when c == delimiter:
                        EndField();
                        break;
                    case State.FieldStart or State.Unquoted when c == '"' && strayQuotesAreErrors:
                        Fail($"a quote inside the unquoted field {_fields.Count + 1}; quote the whole field and double the quote");
                        return;
                    case State.FieldStart or State.Unquoted:
                        // This char (a stray quote kept as text too) and the run up to the next delimiter or quote, which would
                        // each come back to this case: appended at once.
                        var next = line.AsSpan(at + 1).IndexOfAny(delimiter, '"');
                        var plain = next < 0 ? line.Length - at : next + 1;
                        _field.Append(line.AsSpan(at, plain));
                        at += plain - 1;
                        _state = State.Unquoted;
                        break;
                    case State.Quoted when c == '"':
                        _state = State.QuoteInQuoted;
                        break;
                    case State.Quoted:
                        var quoted = line.AsSpan(at).IndexOf('"');
                        if (quoted < 0) quoted = line.Length - at;
                        _field.Append(line.AsSpan(at, quoted));
                        at += quoted - 1;
                        break;
                    case State.QuoteInQuoted when c == '"':
                        _field.Append('"');
                        _state = State.Quoted;
                        break;
                    case State.QuoteInQuoted when c == delimiter:
                        EndField();
                        break;
                    default:
                        Fail($"text after the closing quote of field {_fields.Count + 1}");
                        return;
                }
            }
            if (_state == State.Quoted) return;
            _fields.Add(_field.ToString());
            Complete = true;
        }

        private void EndField()
        {
            _fields.Add(_field.ToString());
            _field.Clear();
            _state = State.FieldStart;
        }

        private void Fail(string problem)
        {
            Problem = problem;
            Complete = true;
        }
    }
}
