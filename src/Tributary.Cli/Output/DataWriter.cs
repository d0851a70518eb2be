using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Spectre.Console;

namespace Tributary.Cli.Output;

/// <summary>
/// Prints rows as a table, CSV or JSON to stdout; the one place every listing command formats data. Tables are for
/// people (numbers rounded by what the column holds, yes/no); CSV and JSON keep every digit for programs.
/// </summary>
internal static class DataWriter
{
    // ISO-8601 dates and times, and '+' or '&' as themselves: the output goes to files and programs, not into HTML.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Indented JSON without HTML escaping, for every JSON the CLI prints.</summary>
    public static JsonSerializerOptions JsonOptions => Indented;

    // Column names that hold money (two decimals) or seconds ("12.4 s") in a table.
    private static readonly string[] MoneyWords = ["spend", "revenue", "clv", "amount", "cac", "value", "price", "cost", "budget", "total", "margin", "aov"];

    /// <summary>
    /// Writes the rows. <paramref name="terminal"/> says whether the output is a terminal: a table is then fitted to
    /// its width; otherwise (piped or redirected) it is printed unwrapped, so ids and type names are never cut, except the
    /// <paramref name="prose"/> columns (sentences), which wrap so that the table stays within 80 columns where it can.
    /// </summary>
    public static void Write(TextWriter output, OutputFormat format, IReadOnlyList<string> columns, IEnumerable<object?[]> rows, bool? terminal = null,
        IReadOnlyCollection<string>? prose = null)
    {
        switch (format)
        {
            case OutputFormat.Csv:
                output.WriteLine(string.Join(",", columns.Select(Csv)));
                foreach (var row in rows) output.WriteLine(string.Join(",", row.Select(v => Csv(Text(v)))));
                break;
            case OutputFormat.Json:
                output.WriteLine(JsonSerializer.Serialize(Objects(columns, rows), Indented));
                break;
            default:
                var values = rows.ToList();
                // A key-value table's value column (a model card's parameters, a model's metrics) holds counts, rates, money
                // and log-likelihoods at once: each cell is formatted as its row's key names it (revenue as money, customers
                // as a count), and the column is not aligned to one number of decimals.
                var key = columns.ToList().FindIndex(c => c is "parameter" or "metric");
                bool KeyedValue(int column) => key >= 0 && columns[column] == "value";
                var cells = values.Select(r => r.Select((v, i) => Cell(KeyedValue(i) ? Convert.ToString(r[key], CultureInfo.InvariantCulture) ?? "" : columns[i], v)).ToArray()).ToList();
                for (var i = 0; i < columns.Count; i++)
                    if (!KeyedValue(i)) AlignDecimals(values, cells, i);
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
                bool Prose(int column) => prose?.Contains(columns[column]) == true;
                if (!(terminal ?? IsTerminal(output)))
                    console.Profile.Width = Math.Max(80, columns.Select((c, i) => (Prose(i) ? MinProseWidth : Math.Max(c.Length, cells.Select(r => r[i].Length).DefaultIfEmpty(0).Max())) + 3).Sum() + 1);
                var table = new Table().Border(TableBorder.Rounded);
                foreach (var (c, i) in columns.Select((c, i) => (c, i)))
                {
                    var column = new TableColumn(Markup.Escape(c));
                    if (IsNumericColumn(cells, i)) column.RightAligned();
                    if (prose is not null && !Prose(i)) column.NoWrap();
                    table.AddColumn(column);
                }
                foreach (var row in cells) table.AddRow(row.Select(Markup.Escape).ToArray());
                console.Write(table);
                break;
        }
    }

    // Off a terminal a prose column gets at least this many characters a line, however wide the others are.
    private const int MinProseWidth = 24;

    /// <summary>Rows as JSON-ready objects keyed by column name.</summary>
    public static List<Dictionary<string, object?>> Objects(IReadOnlyList<string> columns, IEnumerable<object?[]> rows) =>
        rows.Select(r => columns.Select((c, i) => (c, v: r[i])).ToDictionary(p => p.c, p => Json(p.v))).ToList();

    /// <summary>Any object as indented JSON.</summary>
    public static void WriteJson(TextWriter output, object value) => output.WriteLine(JsonSerializer.Serialize(value, Indented));

    /// <summary>A value as plain text with every digit (CSV).</summary>
    public static string Text(object? value) => value switch
    {
        null => "",
        // A DATE reads as DateOnly, so a DateTime is a timestamp even at midnight.
        DateTime d => d.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double x => x.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// A value as a person reads it in a table: yes/no; seconds as "12.4 s"; money two decimals; counts and other
    /// numbers with a thousands separator, fractions to four significant digits; ids and years left alone.
    /// </summary>
    public static string Cell(string column, object? value)
    {
        var name = column.ToLowerInvariant();
        return value switch
        {
            bool b => b ? "yes" : "no",
            int or long or short or byte when IsIdentifier(name) => Text(value),
            int or long or short or byte => Convert.ToInt64(value, CultureInfo.InvariantCulture).ToString("N0", CultureInfo.InvariantCulture),
            double or float or decimal => Number(name, Convert.ToDouble(value, CultureInfo.InvariantCulture)),
            _ => Text(value),
        };
    }

    private static string Number(string name, double x)
    {
        if (double.IsNaN(x) || double.IsInfinity(x)) return x.ToString(CultureInfo.InvariantCulture);
        if (name.EndsWith("_s", StringComparison.Ordinal) || name.Contains("seconds", StringComparison.Ordinal)) return x.ToString("#,##0.0", CultureInfo.InvariantCulture) + " s";
        if (MoneyWords.Any(w => name.Contains(w, StringComparison.Ordinal)) && !name.Contains("share", StringComparison.Ordinal)) return x.ToString("#,##0.00", CultureInfo.InvariantCulture);
        var magnitude = Math.Abs(x);
        if (magnitude >= 1e9 || (magnitude > 0 && magnitude < 1e-4)) return x.ToString("0.###e+0", CultureInfo.InvariantCulture);
        if (magnitude >= 100) return x.ToString("#,##0.#", CultureInfo.InvariantCulture);
        return x.ToString("#,##0.####", CultureInfo.InvariantCulture);
    }

    // One number of decimals per column (the most any of its cells shows), so 56.61 prints as 56.6100 beside 46.5714 and
    // the column's decimal points line up; cells in scientific notation and fixed-format columns are left as they are. A
    // short cell is written again from its value, not padded: 133.448 shown as 133.4 must become 133.45, never 133.40.
    private static void AlignDecimals(List<object?[]> values, List<string[]> cells, int column)
    {
        if (!values.Any(r => r[column] is double or float or decimal)) return;
        static int Decimals(string cell) => cell.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? cell.Length - dot - 1 : 0;
        var plain = Enumerable.Range(0, cells.Count)
            .Where(r => values[r][column] is double or float or decimal && double.IsFinite(Convert.ToDouble(values[r][column], CultureInfo.InvariantCulture)) && !cells[r][column].Contains('e', StringComparison.Ordinal) && !cells[r][column].EndsWith(" s", StringComparison.Ordinal))
            .ToList();
        if (plain.Count == 0) return;
        var decimals = plain.Max(r => Decimals(cells[r][column]));
        foreach (var r in plain)
        {
            var cell = cells[r][column];
            if (Decimals(cell) < decimals)
                cells[r][column] = Convert.ToDouble(values[r][column], CultureInfo.InvariantCulture).ToString("#,##0." + new string('0', decimals), CultureInfo.InvariantCulture);
        }
    }

    private static bool IsIdentifier(string name) =>
        name == "id" || name.EndsWith("_id", StringComparison.Ordinal) || name.EndsWith("year", StringComparison.Ordinal) || name is "line" or "seed" or "rank" or "pid";

    // Right-aligned when every filled cell is a number as Cell writes it.
    private static bool IsNumericColumn(List<string[]> cells, int column) =>
        cells.Any(r => r[column].Length > 0) && cells.All(r => r[column].Length == 0 || double.TryParse(
            r[column].Replace(",", "", StringComparison.Ordinal).Replace(" s", "", StringComparison.Ordinal), NumberStyles.Float, CultureInfo.InvariantCulture, out _));

    // The process's own stdout on a terminal; anything else (a file, a pipe, a test's writer) is not one.
    private static bool IsTerminal(TextWriter output) =>
        ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected;

    private static object? Json(object? value) => value switch
    {
        null or bool or string or int or long or double or decimal or DateTime or DateTimeOffset or DateOnly => value,
        float f => (double)f,
        _ => Text(value),
    };

    private static string Csv(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
