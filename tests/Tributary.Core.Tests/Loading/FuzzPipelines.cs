using System.Globalization;
using System.Text;
using CsCheck;
using Tributary.Core.Components;

namespace Tributary.Core.Tests.Loading;

/// <summary>
/// Generates pipeline files for fuzzing the loader: valid pipelines from the spec's grammar (every top-level section,
/// components from the catalog with values for their parameters' kinds), written in block or flow style, then
/// mutated as a careless user or an attacker would (lines deleted, duplicated, swapped or re-indented, values of the
/// wrong type, huge numbers, anchors and aliases, deep nesting, random characters, truncation).
/// </summary>
internal static class FuzzPipelines
{
    private static readonly string[] Columns = ["customer_id", "email", "phone", "amount", "ordered_at", "order_id", "tier", "clv", "channel", "nope", "Email"];
    private static readonly string[] SqlTypes = ["VARCHAR", "BIGINT", "DOUBLE", "DATE", "TIMESTAMP", "BOOLEAN", "INTEGER"];
    private static readonly string[] Words = ["eu", "us", "orders", "x", "", "a b", "ü", "crm", "segment", "{segment}"];
    private static readonly string[] Zones = ["UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata", "Africa/Monrovia"];
    private static readonly string[] Units = ["ms", "s", "m", "h", "d"];

    // Tokens that replace a value: other YAML types, edge numbers, broken quoting, tags, block scalar indicators.
    private static readonly string[] ValueSwaps =
    [
        "[]", "{}", "~", "null", "[a, [b]]", "{x: {y: z}}", "\"\"", "true", "-1", "0", "99999999999999999999999", "1e999", "-0.0", ".nan", ".inf",
        "0x1F", "2024-13-45", "'unterminated", "\"also", "*nowhere", "&a", "!!binary AAAA", "!custom x", "|", ">", "- item", "? key", "<<: *a", "${", "${param.}", "$${x}",
        "${env.UNSET_VAR}", "${partition.nope}", "\"\\u0000\"", "\"\\uD800\"", "10675199d", "99999999999d", "0s", "-5s", "NaN", "1_000",
    ];

    private static readonly string[] Garbage =
    [
        "\0", "\t", "\uFEFF", "\uD800", "\u0085", "\u2028", "\r", "\r\n", ":", "#", "- ", "? ", "%YAML 1.1\n", "---\n", "...\n", "<<: *a", "&", "*", "!", "|", ">", "'", "\"",
        "{", "}", "[", "]", ",", "@", "`", "%", "\\", "\u00e9", "\U0001F600",
    ];

    private abstract record Y;
    private sealed record S(string Text) : Y;
    private sealed record L(IReadOnlyList<Y> Items) : Y;
    private sealed record M(IReadOnlyList<(string Key, Y Value)> Entries) : Y;

    /// <summary>A generated pipeline, mutated 0 to 4 times.</summary>
    public static Gen<string> Files(ComponentCatalog catalog) =>
        Gen.Select(Pipeline(catalog), Gen.Bool, Gen.Frequency((1, Gen.Const(new List<Change>())), (2, Mutation.List[1, 4])),
            (p, flow, mutations) => mutations.Aggregate(Write(p, flow), Apply));

    // Mostly the valid choice: a generator of only broken files would test only the first error each time.
    private static Gen<T> Mostly<T>(Gen<T> valid, Gen<T> invalid) => Gen.Frequency((6, valid), (1, invalid));

    private static Gen<M> Pipeline(ComponentCatalog catalog) =>
        Gen.Int[1, 5].SelectMany(count =>
            Gen.Select(Optional(Params), Optional(Schedule), Optional(Partitions), Optional(Retry), Optional(Sensors), Optional(Gen.Const<Y>(Map(("webhook_url_env", Plain("HOOK_URL"))))),
                Components(catalog, count),
                (parameters, schedule, partitions, retry, sensors, onFailure, components) =>
                {
                    var entries = new List<(string, Y)> { ("pipeline", Plain("fuzz")), ("description", Quoted("generated: ${literal} $${x}")) };
                    if (parameters is not null) entries.Add(("params", parameters));
                    if (schedule is not null) entries.Add(("schedule", schedule));
                    if (partitions is not null) entries.Add(("partitions", partitions));
                    if (retry is not null) entries.Add(("retry", retry));
                    if (sensors is not null) entries.Add(("sensors", sensors));
                    if (onFailure is not null) entries.Add(("on_failure", onFailure));
                    entries.Add(("components", components));
                    return new M(entries);
                }));

    private static Gen<Y?> Optional(Gen<Y> gen) => Gen.Frequency((1, Gen.Const((Y?)null)), (1, gen.Select(y => (Y?)y)));

    private static Gen<Y> Params =>
        Gen.Select(Gen.OneOf("string", "integer", "number", "boolean"), Gen.Int[-5, 50], Gen.Bool, Gen.Bool,
            (type, n, bounded, listed) =>
            {
                var value = type switch { "string" => "eu", "integer" => n.ToString(CultureInfo.InvariantCulture), "number" => (n / 4.0).ToString(CultureInfo.InvariantCulture), _ => "true" };
                var entries = new List<(string, Y)> { ("type", Plain(type)), ("default", Scalar(value)) };
                if (bounded && type is "integer" or "number") entries.AddRange([("min", Plain("0")), ("max", Plain("40"))]);
                if (listed) entries.Add(("enum", new L([Scalar(value), Plain("us")])));
                return (Y)Map(("region", new M(entries)), ("note", Map(("type", Plain("string")), ("default", Quoted("hi")))));
            });

    private static Gen<Y> Schedule =>
        Gen.Select(Mostly(Gen.OneOf("0 6 * * *", "*/5 * * * *", "0 0 1 * *", "0 30 6 * * *"), Gen.OneOf("61 * * * *", "* * *", "0 0 31 2 *", "99999999999 * * * *", "H 6 * * *")),
            Mostly(Gen.OneOf(Zones), Gen.OneOf("Mars/Olympus", "../etc/passwd", "")), Mostly(Gen.OneOf("latest", "skip"), Gen.Const("never")),
            (cron, zone, catchUp) => (Y)Map(("cron", Quoted(cron)), ("timezone", Plain(zone)), ("catch_up", Plain(catchUp))));

    private static Gen<Y> Partitions =>
        Gen.Select(Gen.OneOf("hourly", "daily", "weekly", "monthly", "static"), Mostly(Gen.Int[2015, 2026], Gen.Int[1, 9999]), Gen.Int[1, 12], Gen.OneOf(Zones), Gen.Bool,
            (type, year, month, zone, keyed) =>
            {
                var entries = new List<(string, Y)> { ("type", Plain(type)), ("start", Plain($"{year:0000}-{month:00}-01")), ("timezone", Plain(zone)) };
                if (keyed || type == "static") entries.Add(("keys", new L([Plain("us"), Plain("eu")])));
                return (Y)new M(entries);
            });

    private static Gen<Y> Retry =>
        Gen.Select(Mostly(Gen.Int[0, 10], Gen.Int[-1, 1000]), Duration, Mostly(Gen.OneOf("constant", "linear", "exponential"), Gen.Const("cubic")), Gen.Bool,
            (max, delay, backoff, jitter) => (Y)Map(("max_retries", Plain(max.ToString(CultureInfo.InvariantCulture))), ("delay", delay), ("backoff", Plain(backoff)), ("jitter", Plain(jitter ? "true" : "false"))));

    private static Gen<Y> Sensors =>
        Gen.Select(Mostly(Gen.OneOf("file_arrival", "table_rows", "run_status", "freshness"), Gen.Const("weather")), Duration,
            (type, interval) => (Y)new L([type switch
            {
                "file_arrival" => Map(("type", Plain(type)), ("path", Plain("data/incoming")), ("pattern", Quoted("*.csv")), ("interval", interval)),
                "table_rows" => Map(("type", Plain(type)), ("table", Plain("events")), ("cursor_column", Plain("id")), ("interval", interval)),
                "run_status" => Map(("type", Plain(type)), ("pipeline", Plain("ingest")), ("status", Plain("succeeded"))),
                "freshness" => Map(("type", Plain(type)), ("asset", Plain("c0")), ("max_age", interval)),
                _ => Map(("type", Plain(type))),
            }]));

    private static Gen<Y> Duration =>
        Gen.Select(Mostly(Gen.Int[1, 1000], Gen.OneOf(0, -1, int.MaxValue)), Mostly(Gen.OneOf(Units), Gen.OneOf("w", "", "sec")),
            (n, unit) => (Y)Plain(n.ToString(CultureInfo.InvariantCulture) + unit));

    // Components in order: each may take earlier ones as inputs.
    private static Gen<Y> Components(ComponentCatalog catalog, int count) =>
        Enumerable.Range(0, count)
            .Aggregate(Gen.Const(new List<Y>()), (acc, i) => acc.SelectMany(list => Component(catalog, i).Select(c => new List<Y>(list) { c })))
            .Select(list => (Y)new L(list));

    private static Gen<Y> Component(ComponentCatalog catalog, int index) =>
        Gen.OneOf(catalog.Types.ToArray()).SelectMany(type =>
            Gen.Select(Inputs(type, index), With(type, index), Checks, (inputs, with, checks) =>
            {
                var entries = new List<(string, Y)> { ("id", Plain($"c{index}")), ("type", Plain(type.TypeName)) };
                if (inputs.Count > 0 || type.Inputs.Min > 0) entries.Add(("inputs", new L([.. inputs.Select(Plain)])));
                if (with.Entries.Count > 0) entries.Add(("with", with));
                if (checks is not null) entries.Add(("checks", checks));
                return (Y)new M(entries);
            }));

    private static Gen<List<string>> Inputs(ComponentDescriptor type, int index)
    {
        if (index == 0 || type.Inputs.Max == 0) return Gen.Const(new List<string>());
        var max = (int)Math.Min(type.Inputs.Max, type.Inputs.Min + 2L);
        return Gen.Int[type.Inputs.Min, max].SelectMany(n => Gen.Int[0, index - 1].Array[n].Select(ids => ids.Select(i => $"c{i}").ToList()));
    }

    private static Gen<M> With(ComponentDescriptor type, int index) =>
        type.Parameters.Aggregate(Gen.Const(new List<(string, Y)>()), (acc, p) =>
                acc.Select(p.Required ? Value(p, index).Select(v => (Y?)v) : Optional(Value(p, index)), (list, v) => v is null ? list : [.. list, (p.Name, v)]))
            .Select(list => new M(list));

    // Mostly small values inside the declared range, whatever the range (a minimum above 1000 included).
    private static double Low(ParameterDescriptor p) => Math.Max(p.Min ?? -10, -10);

    private static double High(ParameterDescriptor p) => Math.Min(p.Max ?? double.MaxValue, Low(p) + 1010);

    private static Gen<Y> Value(ParameterDescriptor p, int index)
    {
        var ids = Enumerable.Range(0, Math.Max(1, index)).Select(i => $"c{i}").ToArray();
        return p.Kind switch
        {
            ParameterKind.Enum => Mostly(Gen.OneOf([.. p.Allowed]), Gen.Const("not_a_value")).Select(Scalar),
            ParameterKind.String when p.Allowed.Count > 0 => Gen.OneOf([.. p.Allowed]).Select(Scalar),
            ParameterKind.String => Text(p.Name, ids).Select(Scalar),
            ParameterKind.Boolean => Mostly(Gen.OneOf("true", "false"), Gen.Const("yes")).Select(Scalar),
            ParameterKind.Integer => Gen.Frequency((6, Gen.Int[(int)Low(p), (int)High(p)]), (1, Gen.Int.Uniform))
                .Select(n => Scalar(n.ToString(CultureInfo.InvariantCulture))),
            ParameterKind.Number => Gen.Double[Low(p), High(p)].Select(x => Scalar(x.ToString("R", CultureInfo.InvariantCulture))),
            ParameterKind.Duration => Duration,
            ParameterKind.StringList => Gen.OneOf([.. Columns, .. ids]).List[0, 3].Select(l => (Y)new L([.. l.Select(Scalar)])),
            ParameterKind.NumberList => Gen.Double[-1, 100].List[0, 3].Select(l => (Y)new L([.. l.Select(x => Scalar(x.ToString("R", CultureInfo.InvariantCulture)))])),
            ParameterKind.StringMap => Gen.Select(Gen.OneOf([.. Columns, .. ids, "identity", "orders", "spend", "attribution"]).List[1, 3], Mostly(Gen.OneOf(SqlTypes), Gen.OneOf([.. ids, "email, phone", "NOT_A_TYPE"])),
                (keys, value) => (Y)new M([.. keys.Distinct().Select(k => (k, Scalar(value)))])),
            ParameterKind.NumberMap => Gen.Select(Gen.OneOf("google_ads", "meta_ads", "email").List[1, 2], Gen.Double[0, 1000],
                (keys, value) => (Y)new M([.. keys.Distinct().Select(k => (k, Scalar(value.ToString("R", CultureInfo.InvariantCulture))))])),
            _ => Gen.Const<Y>(Plain("x")),
        };
    }

    // Text by the parameter's name, the way pipelines use them; some with substitutions.
    private static Gen<string> Text(string name, string[] ids) =>
        name.EndsWith("_column", StringComparison.Ordinal) ? Gen.OneOf(Columns)
        : name == "path" ? Mostly(Gen.OneOf("data/orders.csv", "data/*.csv", "out/file.csv"), Gen.OneOf("out/{segment}.csv", "data/${partition.key}.csv", "../../outside.csv", "/etc/passwd", "data/${param.region}.csv"))
        : name is "sql" or "query" ? Mostly(Gen.OneOf(["SELECT 1", $"SELECT * FROM {ids[0]}", "WITH a AS (SELECT 1) SELECT * FROM a"]), Gen.OneOf("DROP TABLE x", "SELECT '${param.region}'", "SELECT 1; SELECT 2"))
        : name == "target" ? Gen.OneOf([.. ids, "crm", "crm__x", "Bad Name"])
        : name.EndsWith("_env", StringComparison.Ordinal) ? Mostly(Gen.Const("HOOK_SECRET"), Gen.OneOf("lower_case", ""))
        : name == "url" ? Gen.OneOf("https://example.com/hook", "not a url", "${env.HOOK_URL}")
        : Gen.OneOf(Words);

    private static Gen<Y?> Checks =>
        Optional(Gen.Select(Mostly(Gen.OneOf("row_count_min", "expression"), Gen.OneOf("not_null", "unique", "accepted_values", "exists")), Gen.OneOf(Columns), Gen.Bool,
            (type, column, blocking) => (Y)new L([type switch
            {
                "row_count_min" => Map(("type", Plain(type)), ("value", Plain("1"))),
                "accepted_values" => Map(("type", Plain(type)), ("column", Plain(column)), ("values", new L([Plain("a"), Plain("b")]))),
                "expression" => Map(("type", Plain(type)), ("sql", Quoted($"{column} > 0"))),
                _ => Map(("type", Plain(type)), ("column", Plain(column)), ("blocking", Plain(blocking ? "true" : "false"))),
            }])));

    private static M Map(params (string Key, Y Value)[] entries) => new(entries);
    private static S Plain(string text) => new(text);
    private static S Quoted(string text) => new(Quote(text));

    // Plain when YAML reads it back as the same string, else double-quoted.
    private static Y Scalar(string text) =>
        text.Length > 0 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or '/' or '-') && !text.StartsWith('-') ? new S(text) : new S(Quote(text));

    private static string Quote(string text)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in text)
            sb.Append(c switch { '"' => "\\\"", '\\' => "\\\\", '\n' => "\\n", _ when char.IsControl(c) => $"\\x{(int)c:x2}", _ => c.ToString() });
        return sb.Append('"').ToString();
    }

    private static string Write(M pipeline, bool flow)
    {
        var sb = new StringBuilder();
        Block(sb, pipeline, 0, flow);
        return sb.ToString();
    }

    private static void Block(StringBuilder sb, Y node, int indent, bool flow)
    {
        var pad = new string(' ', indent);
        if (node is M map)
        {
            foreach (var (key, value) in map.Entries)
            {
                sb.Append(pad).Append(key).Append(':');
                if (value is S || flow && indent > 0 || value is L { Items.Count: 0 } || value is M { Entries.Count: 0 }) sb.Append(' ').Append(Flow(value)).Append('\n');
                else
                {
                    sb.Append('\n');
                    Block(sb, value, indent + 2, flow);
                }
            }
        }
        else if (node is L list)
        {
            foreach (var item in list.Items)
            {
                if (item is M { Entries.Count: > 0 } m && !flow)
                {
                    // "- " takes the place of the first key's indentation.
                    var inner = new StringBuilder();
                    Block(inner, m, indent + 2, flow);
                    sb.Append(pad).Append("- ").Append(inner.ToString(indent + 2, inner.Length - indent - 2));
                }
                else sb.Append(pad).Append("- ").Append(Flow(item)).Append('\n');
            }
        }
        else sb.Append(pad).Append(Flow(node)).Append('\n');
    }

    private static string Flow(Y node) => node switch
    {
        S s => s.Text,
        L l => "[" + string.Join(", ", l.Items.Select(Flow)) + "]",
        M m => "{ " + string.Join(", ", m.Entries.Select(e => $"{e.Key}: {Flow(e.Value)}")) + " }",
        _ => throw new System.Diagnostics.UnreachableException(),
    };

    /// <summary>One change to a file's text: what, where (a fraction of the lines) and a number or text to use.</summary>
    private sealed record Change(int Kind, double Where, int Number, string Text);

    private static Gen<Change> Mutation =>
        Gen.Select(Gen.Int[0, 12], Gen.Double[0, 1], Gen.Int[0, 100_000], Gen.Frequency((3, Gen.OneOf(Garbage)), (1, Gen.Char.Array[1, 12].Select(c => new string(c)))),
            (kind, where, number, text) => new Change(kind, where, number, text));

    private static string Apply(string text, Change change)
    {
        var lines = text.Split('\n').ToList();
        var i = Math.Min(lines.Count - 1, (int)(change.Where * lines.Count));
        var other = change.Number % lines.Count;
        switch (change.Kind)
        {
            case 0: lines.RemoveAt(i); break;
            case 1: lines.Insert(i, lines[i]); break;
            case 2: lines[i] = change.Number % 2 == 0 ? new string(' ', 1 + change.Number % 5) + lines[i] : lines[i].TrimStart(); break;
            case 3: (lines[i], lines[other]) = (lines[other], lines[i]); break;
            case 4: lines[i] = ReplaceValue(lines[i], ValueSwaps[change.Number % ValueSwaps.Length]); break;
            case 5: lines[i] = ReplaceNumber(lines[i], change.Number); break;
            case 6:
                // Anchor one value and repeat it elsewhere, or repeat a whole list item.
                lines[i] = ReplaceValue(lines[i], $"&a{change.Number % 3} " + Value(lines[i]));
                lines.Insert(other, change.Number % 2 == 0 ? $"extra{change.Number}: *a{change.Number % 3}" : $"  - *a{change.Number % 3}");
                break;
            case 7:
                var depth = change.Number % 400;
                var open = change.Number % 3 == 0 ? "{a: " : change.Number % 3 == 1 ? "[" : "- ";
                lines[i] = lines[i].Insert(Math.Min(lines[i].Length, lines[i].IndexOf(':', StringComparison.Ordinal) + 2), string.Concat(Enumerable.Repeat(open, depth)));
                break;
            case 8: lines[i] = lines[i].Insert((int)(change.Where * 7919 % (lines[i].Length + 1)), change.Text); break;
            case 9: return string.Join('\n', lines)[..(int)(change.Where * text.Length)];
            case 10:
                var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
                if (colon > 1) lines[i] = lines[i].Remove(colon - 1, 1).Insert(colon - 1, change.Number % 2 == 0 ? "s" : "_");
                break;
            case 11: lines[i] = lines[i].Replace("  ", "\t", StringComparison.Ordinal); break;
            default:
                // Many copies of a line: big files with repeated keys or components.
                lines.InsertRange(i, Enumerable.Repeat(lines[i], change.Number % 2_000));
                break;
        }
        return string.Join('\n', lines);
    }

    private static string Value(string line)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? "x" : line[(colon + 2)..];
    }

    private static string ReplaceValue(string line, string value)
    {
        var colon = line.IndexOf(": ", StringComparison.Ordinal);
        return colon < 0 ? line + " " + value : line[..(colon + 2)] + value;
    }

    private static readonly System.Buffers.SearchValues<char> Digits = System.Buffers.SearchValues.Create("0123456789");

    private static string ReplaceNumber(string line, int choice)
    {
        string[] numbers = ["99999999999999999999", "2147483648", "-2147483649", "1e308", "1e400", "0", "-1", "00001", "1.7976931348623157E+309"];
        var start = line.IndexOfAny(Digits);
        if (start < 0) return line;
        var end = start;
        while (end < line.Length && char.IsAsciiDigit(line[end])) end++;
        return line[..start] + numbers[choice % numbers.Length] + line[end..];
    }
}
