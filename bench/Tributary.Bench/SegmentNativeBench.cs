using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using DuckDB.NET.Data;
using Tributary.Components.Sources.Platform;
using Tributary.Core.Warehousing;

namespace Tributary.Bench;

/// <summary>
/// What the Segment load would cost done by DuckDB's own readers instead of the C# parser and the appender: each statement
/// reads the NDJSON file with <c>read_csv</c> as one raw text column (no delimiter, no quote, so each line is a row) and is
/// timed alone in a fresh database, from reading only up to the layout's columns extracted and type-checked in SQL:
/// <list type="bullet">
/// <item><c>read</c>: the lines counted;</item>
/// <item><c>raw</c>: the lines and their numbers stored in a table;</item>
/// <item><c>extract</c>: the layout's columns through one <c>json_transform</c> per line into a table, with line numbers
/// (<c>row_number() OVER ()</c>, DuckDB's streaming window: the only way to number a CSV reader's rows, and it runs the
/// scan and everything above it on one thread);</item>
/// <item><c>extract-unnumbered</c>: the same without line numbers, so DuckDB reads and parses in parallel;</item>
/// <item><c>checked</c>: <c>extract</c> plus the type checks a line must pass to be stored by SQL (every text field a JSON string
/// or null, revenue a JSON number, timestamps strings of the ISO shape, type one of Segment's), the raw text kept for the lines
/// that fail for a C# pass; still without the checks that exactness needs (repeated keys, surrounding white space, the raw
/// text of properties and traits, whose minified form DuckDB returns).</item>
/// </list>
/// Meant for the demo's events, all valid JSON: <c>json_transform</c> fails the statement on a malformed line, so a load
/// would guard it with <c>json_valid</c> (one more parse per line).
/// </summary>
internal static class SegmentNativeBench
{
    public static void Run(string path, string database)
    {
        var file = Path.GetFullPath(path).Replace("'", "''", StringComparison.Ordinal);
        var lines = $"read_csv('{file}', columns = {{'raw': 'VARCHAR'}}, delim = '\\0', quote = '', escape = '', header = false, auto_detect = false, new_line = '\\n')";
        var numbered = $"SELECT row_number() OVER () AS line, raw FROM {lines}";
        var columns = SegmentEventsSource.Layout.Columns;
        var scalars = columns.Where(c => !IsObject(c)).ToList();
        var spec = new JsonObject();
        foreach (var c in scalars)
        {
            var node = spec;
            var parts = c.Header.Split('.');
            foreach (var part in parts[..^1]) node = (JsonObject)(node[part] ??= new JsonObject());
            node[parts[^1]] = c.Kind == DataKind.Number ? "DOUBLE" : "VARCHAR";
        }
        var paths = string.Join(", ", columns.Select(c => $"'$.{c.Header}'"));
        string Extract(string source) => $"SELECT line, raw, json_transform(raw, '{spec.ToJsonString()}') AS s, json_type(raw, [{paths}]) AS t FROM ({source})";

        string Value(PlatformColumn c) => IsObject(c) ? $"json_extract(raw, '$.{c.Header}')"
            : c.Kind == DataKind.Timestamp ? $"TRY_CAST(rtrim({Field(c)}, 'Z') AS TIMESTAMP)" : Field(c);
        string Check(PlatformColumn c, int i)
        {
            var t = $"t[{i + 1}]";
            var present = c.Required ? "false" : "true";
            return IsObject(c) ? $"coalesce({t} IN ('OBJECT', 'ARRAY', 'NULL'), true)"
                : c.Kind == DataKind.Number ? $"coalesce({t} IN ('BIGINT', 'UBIGINT', 'DOUBLE', 'NULL'), true)"
                : c.Kind == DataKind.Timestamp ? $"coalesce({t} = 'VARCHAR' AND length({Field(c)}) BETWEEN 19 AND 28 AND {Field(c)}[11] = 'T', {present})"
                : $"coalesce({t} IN ('VARCHAR', 'NULL'), {present})";
        }
        var plain = string.Join(", ", columns.Select(c => $"{Value(c)} AS \"{c.Name}\""));
        var ok = string.Join(" AND ", columns.Select(Check).Append("s.\"type\" IN ('identify', 'track', 'page', 'screen', 'group', 'alias')"));
        var checkedColumns = string.Join(", ", columns.Select(c => $"CASE WHEN ok THEN {Value(c)} END AS \"{c.Name}\""));

        var statements = new (string Name, string Sql)[]
        {
            ("read", $"SELECT count(*) FROM {lines}"),
            ("raw", $"CREATE TABLE raw AS {numbered}"),
            ("extract", $"CREATE TABLE extract AS SELECT {plain}, 'events' AS _source_file, line AS _source_line FROM ({Extract(numbered)})"),
            ("extract-unnumbered", $"CREATE TABLE unnumbered AS SELECT {plain}, 'events' AS _source_file, 0 AS _source_line FROM ({Extract($"SELECT 0 AS line, raw FROM {lines}")})"),
            ("checked", $"CREATE TABLE checked AS SELECT {checkedColumns}, 'events' AS _source_file, line AS _source_line, CASE WHEN NOT ok THEN raw END AS _raw " +
                $"FROM (SELECT line, raw, s, coalesce({ok}, false) AS ok FROM ({Extract(numbered)}))"),
        };
        foreach (var (name, sql) in statements)
        {
            if (File.Exists(database)) File.Delete(database);
            using var connection = new DuckDBConnection($"Data Source={database}");
            connection.Open();
            Execute(connection, "SET memory_limit = '1GB'");
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            Execute(connection, sql);
            Console.WriteLine($"{name,-20} {clock.Elapsed.TotalSeconds,7:0.00} s wall, CPU {(Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds,6:0.00} s");
        }
        if (File.Exists(database)) File.Delete(database);
    }

    // properties and traits are stored as their JSON text, and fields below them are columns too, so json_transform takes neither.
    private static bool IsObject(PlatformColumn c) => c.Header is "properties" or "traits" or "context";

    private static string Field(PlatformColumn c)
    {
        var s = new StringBuilder("s");
        foreach (var part in c.Header.Split('.')) s.Append(".\"").Append(part).Append('"');
        return s.ToString();
    }

    private static void Execute(DuckDBConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
#pragma warning disable CA2100 // a bench over a local file
        command.CommandText = sql;
#pragma warning restore CA2100
        command.ExecuteNonQuery();
    }
}
