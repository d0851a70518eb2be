using System.Globalization;
using System.Text;
using System.Text.Json;
using Spectre.Console;

namespace Tributary.Cli.Output;

/// <summary>Prints rows as a table, CSV or JSON to stdout; the one place every listing command formats data.</summary>
internal static class DataWriter
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static void Write(TextWriter output, OutputFormat format, IReadOnlyList<string> columns, IEnumerable<object?[]> rows)
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
                var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
                var table = new Table().Border(TableBorder.Rounded);
                foreach (var c in columns) table.AddColumn(new TableColumn(Markup.Escape(c)));
                foreach (var row in rows) table.AddRow(row.Select(v => Markup.Escape(Text(v))).ToArray());
                console.Write(table);
                break;
        }
    }

    /// <summary>Rows as JSON-ready objects keyed by column name.</summary>
    public static List<Dictionary<string, object?>> Objects(IReadOnlyList<string> columns, IEnumerable<object?[]> rows) =>
        rows.Select(r => columns.Select((c, i) => (c, v: r[i])).ToDictionary(p => p.c, p => Json(p.v))).ToList();

    /// <summary>Any object as indented JSON.</summary>
    public static void WriteJson(TextWriter output, object value) => output.WriteLine(JsonSerializer.Serialize(value, Indented));

    public static string Text(object? value) => value switch
    {
        null => "",
        DateTime d => d.ToString(d.TimeOfDay == TimeSpan.Zero ? "yyyy-MM-dd" : "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture),
        DateTimeOffset d => d.ToString("yyyy-MM-dd HH:mm:ss zzz", CultureInfo.InvariantCulture),
        DateOnly d => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        double x => x.ToString("0.####", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static object? Json(object? value) => value switch
    {
        null or bool or string or int or long or double or decimal => value,
        float f => (double)f,
        _ => Text(value),
    };

    private static string Csv(string text) =>
        text.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + text.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : text;
}
