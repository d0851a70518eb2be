using System.Diagnostics;
using System.Globalization;
using System.Text;
using DuckDB.NET.Data;
using Tributary.Components.Sources.Platform;
using Tributary.Core.Warehousing;

namespace Tributary.Bench;

/// <summary>
/// Where the Segment load's DuckDB time goes: the file's events are parsed into memory first, then written into a fresh
/// DuckDB table one way, timed alone: <c>autocommit</c> (the appender as the warehouse uses it), <c>transaction</c> (the
/// appender inside one transaction), <c>csv</c> (a temporary CSV read by DuckDB's parallel <c>read_csv</c>), <c>tablefunc</c> (one INSERT from a table
/// function over the rows, as the warehouse now does); a
/// <c>-nojson</c> suffix leaves the properties, traits and context columns NULL. <c>duckdb-sql</c> times each statement of
/// a script (statements end with ";" at a line end), e.g. <c>read_csv</c> of the raw lines into a table.
/// </summary>
internal static class SegmentAppendBench
{
    public static void Run(string path, string variant, string database)
    {
        var rows = SegmentEventsSource.Read(path, new SegmentEventsParameters { Path = path }).Where(r => r.Values is not null).Select(r => r.Values!).ToList();
        var columns = SegmentEventsSource.Layout.Columns;
        if (File.Exists(database)) File.Delete(database);
        using var connection = new DuckDBConnection($"Data Source={database}");
        connection.Open();
        Execute(connection, $"CREATE TABLE t ({string.Join(", ", columns.Select(c => $"\"{c.Name}\" {TypeName(c.Kind)}"))})");
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var withoutJson = variant.EndsWith("-nojson", StringComparison.Ordinal);
        if (variant.StartsWith("csv", StringComparison.Ordinal))
        {
            var csv = database + ".csv";
            using (var writer = new StreamWriter(csv, false, new UTF8Encoding(false), 1 << 20))
                foreach (var row in rows)
                {
                    for (var i = 0; i < columns.Count; i++)
                    {
                        if (i > 0) writer.Write(',');
                        if (row[i] is not { } v || (withoutJson && i >= columns.Count - 3)) continue;
                        var text = v is DateTime t ? t.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) : Convert.ToString(v, CultureInfo.InvariantCulture)!;
                        writer.Write('"');
                        writer.Write(text.Replace("\"", "\"\"", StringComparison.Ordinal));
                        writer.Write('"');
                    }
                    writer.Write('\n');
                }
            var types = string.Join(", ", columns.Select(c => $"'{c.Name}': '{TypeName(c.Kind)}'"));
            Execute(connection, $"INSERT INTO t SELECT * FROM read_csv('{csv}', columns = {{{types}}}, header = false, auto_detect = false, quote = '\"', escape = '\"')");
            File.Delete(csv);
        }
        else if (variant.StartsWith("tablefunc", StringComparison.Ordinal))
        {
            // The rows as a table function DuckDB pulls chunk by chunk into one INSERT: no appender and its buffered copy.
            var kinds = columns.Select(c => c.Kind).ToArray();
            connection.RegisterTableFunction("segment_rows", () => new TableFunction(
                [.. columns.Select(c => new ColumnInfo(c.Name, c.Kind switch { DataKind.Timestamp => typeof(DateTime), DataKind.Number => typeof(double), _ => typeof(string) }))],
                rows), (item, writers, index) =>
                {
                    var row = (object?[])item!;
                    for (var i = 0; i < writers.Length; i++)
                    {
                        switch (row[i])
                        {
                            case null: writers[i].WriteNull(index); break;
                            case var _ when withoutJson && i >= columns.Count - 3: writers[i].WriteNull(index); break;
                            case DateTime t: writers[i].WriteValue(t, index); break;
                            case double d: writers[i].WriteValue(d, index); break;
                            case string text: writers[i].WriteValue(text, index); break;
                            case var v: writers[i].WriteValue(Convert.ToString(v, CultureInfo.InvariantCulture), index); break;
                        }
                    }
                });
            Execute(connection, "INSERT INTO t SELECT * FROM segment_rows()");
        }
        else
        {
            using var transaction = variant.StartsWith("transaction", StringComparison.Ordinal) ? connection.BeginTransaction() : null;
            using (var appender = connection.CreateAppender("t"))
                foreach (var row in rows)
                {
                    var r = appender.CreateRow();
                    for (var i = 0; i < columns.Count; i++)
                        r = row[i] switch
                        {
                            null => r.AppendNullValue(),
                            _ when withoutJson && i >= columns.Count - 3 => r.AppendNullValue(),
                            DateTime t => r.AppendValue(t),
                            double d => r.AppendValue(d),
                            var v => r.AppendValue(Convert.ToString(v, CultureInfo.InvariantCulture)),
                        };
                    r.EndRow();
                }
            transaction?.Commit();
        }
        Console.WriteLine($"{variant}: {rows.Count:N0} rows in {clock.Elapsed.TotalSeconds:0.00} s wall, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds:0.00} s");
    }

    public static void Script(string script, string database)
    {
        if (File.Exists(database)) File.Delete(database);
        using var connection = new DuckDBConnection($"Data Source={database}");
        connection.Open();
        foreach (var sql in File.ReadAllText(script).Split(";\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var rows = Execute(connection, sql);
            var head = sql.Split('\n')[0];
            Console.WriteLine($"{clock.Elapsed.TotalSeconds,7:0.00} s wall, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,6:0.00} s: {head[..Math.Min(100, head.Length)]}");
            foreach (var row in rows) Console.WriteLine($"    {row}");
        }
    }

    /// <summary>Runs one statement; a query's rows come back as text (the first 40), to check results beside the timings.</summary>
    private static List<string> Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // a bench over local files
        command.CommandText = sql;
#pragma warning restore CA2100
        var rows = new List<string>();
        if (!sql.StartsWith("SELECT", StringComparison.OrdinalIgnoreCase) && !sql.StartsWith("EXPLAIN", StringComparison.OrdinalIgnoreCase))
        {
            command.ExecuteNonQuery();
            return rows;
        }
        using var reader = command.ExecuteReader();
        while (reader.Read() && rows.Count < 40)
            rows.Add(string.Join(" | ", Enumerable.Range(0, reader.FieldCount).Select(i => Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture))));
        while (reader.Read()) { }
        return rows;
    }

    private static string TypeName(DataKind kind) => kind switch
    {
        DataKind.Timestamp => "TIMESTAMP",
        DataKind.Number => "DOUBLE",
        _ => "VARCHAR",
    };
}
