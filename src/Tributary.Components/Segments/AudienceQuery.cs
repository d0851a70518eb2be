using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Segments;

/// <summary>How an audience's conditions combine.</summary>
public enum AudienceMatch
{
    /// <summary>A row matches when every condition holds.</summary>
    All,
    /// <summary>A row matches when at least one condition holds.</summary>
    Any,
}

/// <summary>
/// The SQL that selects an audience: the input's rows (every column) that match the conditions, optionally the first
/// <c>limit</c> by a column. Built once for <c>segment.audience</c> and for the preview API, so that both count the same rows.
/// Every identifier is a column the input has, quoted; every value is bound, cast to the column's kind.
/// </summary>
/// <param name="Sql">The SELECT.</param>
/// <param name="Parameters">Its bound values, in order.</param>
public sealed record AudienceQuery(string Sql, IReadOnlyList<object?> Parameters)
{
    /// <summary>Most days a <c>within last</c> or <c>older than</c> condition may name (a hundred years).</summary>
    public const int MaxDays = 36_500;

    /// <summary>
    /// Every problem of the conditions and ordering against the input's columns, each a sentence naming the condition
    /// (1-based) and the column; empty when the audience can be built.
    /// </summary>
    public static IReadOnlyList<string> Check(string table, TableSchema schema, IReadOnlyList<AudienceCondition> conditions, string? orderBy = null)
    {
        var problems = new List<string>();
        for (var i = 0; i < conditions.Count; i++)
            if (Problem(table, schema, conditions[i], out _) is { } problem) problems.Add($"condition {i + 1} ({Describe(conditions[i])}): {problem}");
        if (!string.IsNullOrWhiteSpace(orderBy))
        {
            var (column, _) = SplitOrder(orderBy);
            if (schema.Find(column) is null) problems.Add($"order_by: {Unknown(table, schema, column)}");
        }
        return problems;
    }

    /// <summary>Problems of the conditions that need no columns (an unknown operator, a missing value, days that are no number).</summary>
    public static IReadOnlyList<string> CheckShape(IReadOnlyList<AudienceCondition> conditions)
    {
        var problems = new List<string>();
        for (var i = 0; i < conditions.Count; i++)
            if (ShapeProblem(conditions[i]) is { } problem) problems.Add($"condition {i + 1} ({Describe(conditions[i])}): {problem}");
        return problems;
    }

    /// <summary>
    /// The audience's SELECT over <paramref name="table"/>. <paramref name="nowUtc"/> anchors <c>within last</c> and
    /// <c>older than</c>: a TIMESTAMP column is compared with now minus N × 24 hours; a DATE column with today in
    /// <paramref name="zone"/> (the reporting zone) minus N days. Throws <see cref="InputDataException"/> with every
    /// problem <see cref="Check"/> finds.
    /// </summary>
    public static AudienceQuery Build(ISqlDialect dialect, string table, TableSchema schema, IReadOnlyList<AudienceCondition> conditions, AudienceMatch match,
        int? limit, string? orderBy, DateTime nowUtc, TimeZoneInfo zone)
    {
        var problems = Check(table, schema, conditions, orderBy);
        if (problems.Count > 0) throw new InputDataException(string.Join(" ", problems));
        var q = new SqlBuilder(dialect);
        var today = ReportingZone.Day(nowUtc, zone);
        var predicates = conditions.Select(c => Predicate(q, schema, c, nowUtc, today)).Select(p => $"({p})").ToList();
        var where = predicates.Count == 0 ? "" : $" WHERE {string.Join(match == AudienceMatch.All ? " AND " : " OR ", predicates)}";
        var sql = $"SELECT i.* FROM {q.Quote(table)} i{where}";
        if (limit is null && string.IsNullOrWhiteSpace(orderBy)) return new AudienceQuery(sql, q.Parameters);
        // Ties broken by every orderable column, so that the same data gives the same rows at the cut; text in byte order,
        // so that a PostgreSQL database sorting by en_US rules cuts where DuckDB does.
        var (column, descending) = string.IsNullOrWhiteSpace(orderBy) ? (null, false) : SplitOrder(orderBy);
        var keys = new List<string>();
        if (column is { } named && schema.Find(named) is { } first)
            keys.Add($"{dialect.OrderKey(q.Quote(first.Name), first.Kind)} {(descending ? "DESC" : "ASC")} NULLS LAST");
        keys.AddRange(schema.Columns.Where(c => c.Kind != DataKind.Other).Select(c => $"{dialect.OrderKey(q.Quote(c.Name), c.Kind)} ASC NULLS LAST"));
        var order = string.Join(", ", keys);
        if (limit is { } n) sql += $" ORDER BY {order} LIMIT {n.ToString(CultureInfo.InvariantCulture)}";
        return new AudienceQuery(sql, q.Parameters) { Order = order };
    }

    /// <summary>
    /// The ORDER BY keys of the audience's order (order_by, then every orderable column), over its columns by bare name
    /// so that they apply to a query reading <see cref="Sql"/>; null without order_by or limit (no order is asked for).
    /// </summary>
    public string? Order { get; init; }

    /// <summary>The first <paramref name="rows"/> rows of the audience, in its order when it has one.</summary>
    public string FirstRowsSql(int rows) =>
        $"SELECT * FROM ({Sql}) a{(Order is null ? "" : $" ORDER BY {Order}")} LIMIT {rows.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>The column and direction of <c>order_by</c>: a column name, optionally followed by <c>asc</c> or <c>desc</c>.</summary>
    public static (string Column, bool Descending) SplitOrder(string orderBy)
    {
        var text = orderBy.Trim();
        var space = text.LastIndexOf(' ');
        var word = space > 0 ? text[(space + 1)..] : "";
        return word.Equals("asc", StringComparison.OrdinalIgnoreCase) || word.Equals("desc", StringComparison.OrdinalIgnoreCase)
            ? (text[..space].TrimEnd(), word.Equals("desc", StringComparison.OrdinalIgnoreCase))
            : (text, false);
    }

    /// <summary>A condition as a person would read it: <c>tier in gold, platinum</c>; an item with a comma in quotes (<c>"Acme, Inc."</c>).</summary>
    public static string Describe(AudienceCondition c) =>
        c.Values.Count == 0 ? $"{c.Column} {c.Op}"
        : $"{c.Column} {c.Op} {string.Join(", ", c.Values.Select(v => c.Values.Count > 1 && v.Contains(',', StringComparison.Ordinal) ? $"\"{v}\"" : v))}{(AudienceCondition.TakesDays(c.Op) ? " days" : "")}";

    private static string? ShapeProblem(AudienceCondition c)
    {
        if (string.IsNullOrWhiteSpace(c.Column)) return "column is missing.";
        if (!AudienceCondition.Operators.Contains(c.Op))
            return $"unknown operator '{c.Op}'.{NameSuggestion.Format(c.Op, AudienceCondition.Operators)} Operators: {string.Join(", ", AudienceCondition.Operators)}.";
        if (AudienceCondition.TakesNoValue(c.Op)) return c.Values.Count == 0 ? null : $"'{c.Op}' takes no value.";
        if (c.Values.Count == 0) return AudienceCondition.TakesList(c.Op) ? "give at least one value: a list such as [gold, platinum], or items separated by commas." : "value is missing.";
        if (!AudienceCondition.TakesList(c.Op) && c.Values.Count > 1) return $"'{c.Op}' takes one value.";
        if (AudienceCondition.TakesDays(c.Op) && !(int.TryParse(c.Values[0], NumberStyles.None, CultureInfo.InvariantCulture, out var days) && days <= MaxDays))
            return $"the value is a number of days, a whole number from 0 to {MaxDays}, got '{c.Values[0]}'.";
        return null;
    }

    // Null when the condition fits the column; the typed values to bind come out.
    private static string? Problem(string table, TableSchema schema, AudienceCondition c, out IReadOnlyList<object> values)
    {
        values = [];
        if (ShapeProblem(c) is { } shape) return shape;
        if (schema.Find(c.Column) is not { } column) return Unknown(table, schema, c.Column);
        var kind = column.Kind;
        var type = $"{KindName(kind)} ({column.SqlType})";
        if (AudienceCondition.TakesNoValue(c.Op)) return null;
        if (kind == DataKind.Other) return $"column '{column.Name}' is {type}: only 'is null' and 'is not null' apply to it.";
        if (AudienceCondition.TakesDays(c.Op))
            return kind is DataKind.Date or DataKind.Timestamp ? null
                : $"'{c.Op}' needs a date or timestamp column, and '{column.Name}' is {type}.";
        if (c.Op == "contains")
        {
            if (kind != DataKind.Text) return $"'contains' needs a text column, and '{column.Name}' is {type}.";
            values = [c.Values[0]];
            return null;
        }
        var ordering = c.Op is ">" or ">=" or "<" or "<=";
        if (kind == DataKind.Boolean && (ordering || c.Op is "in" or "not in")) return $"column '{column.Name}' is {type}: use = or != with true or false.";
        var typed = new List<object>();
        foreach (var v in c.Values)
        {
            switch (kind)
            {
                case DataKind.Integer or DataKind.Number:
                    if (!double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out var x) || !double.IsFinite(x))
                        return $"column '{column.Name}' is {type}, so its value must be a number, got '{v}'.";
                    typed.Add(x);
                    break;
                case DataKind.Boolean:
                    if (!bool.TryParse(v, out var b)) return $"column '{column.Name}' is {type}, so its value must be true or false, got '{v}'.";
                    typed.Add(b);
                    break;
                case DataKind.Date:
                    if (!DateOnly.TryParseExact(v, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d))
                        return $"column '{column.Name}' is {type}, so its value must be a date YYYY-MM-DD, got '{v}'.";
                    typed.Add(d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    break;
                case DataKind.Timestamp:
                    if (!DateTime.TryParse(v, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal, out var t))
                        return $"column '{column.Name}' is {type}, so its value must be a date or time such as 2025-01-31 or 2025-01-31T08:00:00Z, got '{v}'.";
                    typed.Add(Timestamp(t));
                    break;
                default:
                    // Text sorts as text: '10' < '9'. A number there is a mistake, not a comparison anyone wants.
                    if (ordering && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
                        return $"column '{column.Name}' is {type}, and {v} is a number: '{c.Op}' would compare them as text ('10' < '9'). Compare a numeric column, or cast this one in a transform.";
                    typed.Add(v);
                    break;
            }
        }
        values = typed;
        return null;
    }

    private static string Predicate(SqlBuilder q, TableSchema schema, AudienceCondition c, DateTime nowUtc, DateOnly today)
    {
        var column = schema.Find(c.Column)!;
        var col = $"i.{q.Quote(column.Name)}";
        var kind = column.Kind is DataKind.Integer ? DataKind.Number : column.Kind;
        Problem("", schema, c, out var values);
        // A zoned column holds instants: compare it with the bound instant, whatever the session's TimeZone.
        var zoned = column.Kind == DataKind.Timestamp && SqlTypeNames.HasTimeZone(column.SqlType);
        string Value(object v) => zoned ? Instant(q, (string)v) : q.Bind(v, kind);
        switch (c.Op)
        {
            case "is null": return $"{col} IS NULL";
            case "is not null": return $"{col} IS NOT NULL";
            case "contains": return $"strpos(lower({col}), lower({q.Bind(values[0], DataKind.Text)})) > 0";
            case "within last" or "older than":
                var days = int.Parse(c.Values[0], CultureInfo.InvariantCulture);
                var bound = column.Kind == DataKind.Date
                    ? q.Bind(today.AddDays(-days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), DataKind.Date)
                    : Value(Timestamp(nowUtc.AddDays(-days)));
                return c.Op == "within last" ? $"{col} >= {bound}" : $"{col} < {bound}";
            case "in": return $"{col} IN ({string.Join(", ", values.Select(Value))})";
            // Rows where the column is empty are not 'gold' either: a marketer's "not gold" keeps them.
            case "not in": return $"{col} IS NULL OR {col} NOT IN ({string.Join(", ", values.Select(Value))})";
            case "!=": return $"{col} IS DISTINCT FROM {Value(values[0])}";
            default: return $"{col} {c.Op} {Value(values[0])}";
        }
    }

    private static string Timestamp(DateTime utc) => utc.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture);

    // A UTC time with its offset written out is one instant on both engines: no cast through the session's zone.
    private static string Instant(SqlBuilder q, string utc) => $"CAST({q.Bind(utc + "+00:00")} AS TIMESTAMP WITH TIME ZONE)";

    private static string Unknown(string table, TableSchema schema, string column)
    {
        var names = schema.Columns.Select(c => c.Name).ToList();
        var listed = names.Count <= 40 ? string.Join(", ", names) : string.Join(", ", names.Take(40)) + $", … ({names.Count} in all)";
        return $"'{table}' has no column '{column}'.{NameSuggestion.Format(column, names)} Its columns: {listed}.";
    }

    private static string KindName(DataKind kind) => kind switch
    {
        DataKind.Integer or DataKind.Number => "a number",
        DataKind.Text => "text",
        DataKind.Boolean => "true/false",
        DataKind.Date => "a date",
        DataKind.Timestamp => "a timestamp",
        _ => "of another type",
    };
}
