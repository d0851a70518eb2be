using System.Globalization;
using System.Text;

namespace Tributary.Components.Samples.DemoStore;

/// <summary>A buffered CSV writer with RFC 4180 quoting, for the generator's exports.</summary>
internal sealed class CsvFile : IDisposable
{
    private readonly StreamWriter _writer;
    private readonly StringBuilder _line = new();

    public CsvFile(string path, params string[] header)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        _writer = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        if (header.Length > 0) Row(header);
    }

    public void Line(string raw) => _writer.Write(raw + "\n");

    public void Row(params object?[] values)
    {
        _line.Clear();
        for (var i = 0; i < values.Length; i++)
        {
            if (i > 0) _line.Append(',');
            var text = values[i] switch
            {
                null => "",
                double d => d.ToString("0.##", CultureInfo.InvariantCulture),
                decimal m => m.ToString("0.00", CultureInfo.InvariantCulture),
                bool b => b ? "true" : "false",
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                _ => values[i]!.ToString()!,
            };
            if (text.AsSpan().IndexOfAny(",\"\n\r") >= 0) _line.Append('"').Append(text.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            else _line.Append(text);
        }
        _line.Append('\n');
        _writer.Write(_line);
    }

    public void Dispose() => _writer.Dispose();
}
