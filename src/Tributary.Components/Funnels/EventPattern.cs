using System.Globalization;
using System.Text.RegularExpressions;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Funnels;

/// <summary>
/// One step, exclusion or start/return event as a pipeline writes it: an event name (or <c>*</c> for any event),
/// optionally followed by <c>where</c> and conditions on the event table's columns joined by <c>and</c>, e.g.
/// <c>Order Completed where revenue &gt;= 50 and currency in USD,EUR</c>. Operators: <c>= != &gt; &gt;= &lt; &lt;=</c>,
/// <c>contains</c> and <c>in</c> (a comma-separated list). A number on the right of a comparison compares numerically.
/// </summary>
internal sealed partial record EventPattern(string Text, string? Event, IReadOnlyList<EventCondition> Conditions)
{
    /// <summary>Parses <paramref name="text"/>; null with <paramref name="error"/> saying why when it is not a pattern.</summary>
    public static EventPattern? TryParse(string text, out string error)
    {
        error = "";
        var parts = WhereSplit().Split(text.Trim(), 2);
        var name = parts[0].Trim();
        if (name.Length == 0 || name.StartsWith("where ", StringComparison.OrdinalIgnoreCase))
        {
            error = $"'{text}' names no event; write the event name first, then optionally 'where column = value'.";
            return null;
        }
        var conditions = new List<EventCondition>();
        if (parts.Length == 2)
            foreach (var clause in AndSplit().Split(parts[1]))
            {
                var m = Condition().Match(clause.Trim());
                if (!m.Success)
                {
                    error = $"'{clause.Trim()}' in '{text}' is not a condition; write 'column op value' with op one of = != > >= < <= contains in.";
                    return null;
                }
                var value = m.Groups["value"].Value.Trim();
                if (value.Length > 0 && "<>=!".Contains(value[0], StringComparison.Ordinal))
                {
                    error = $"'{clause.Trim()}' in '{text}' has no value after its operator; write 'column op value' with op one of = != > >= < <= contains in.";
                    return null;
                }
                if (value.Length >= 2 && (value[0] == '\'' || value[0] == '"') && value[^1] == value[0]) value = value[1..^1];
                conditions.Add(new EventCondition(m.Groups["column"].Value, m.Groups["op"].Value.ToLowerInvariant(), value));
            }
        return new EventPattern(text, name == "*" ? null : name, conditions);
    }

    /// <summary>The columns the conditions read.</summary>
    public IEnumerable<string> Columns => Conditions.Select(c => c.Column);

    /// <summary>
    /// The SQL condition matching this pattern over the row alias <paramref name="alias"/>; values are bound with
    /// <paramref name="q"/>, identifiers quoted.
    /// </summary>
    public string Sql(SqlBuilder q, string alias, string eventColumn)
    {
        var parts = new List<string>();
        if (Event is not null) parts.Add($"{alias}.{q.Quote(eventColumn)} = {q.Bind(Event, DataKind.Text)}");
        foreach (var c in Conditions)
        {
            var column = $"{alias}.{q.Quote(c.Column)}";
            var text = q.Cast(column, DataKind.Text);
            var numeric = double.TryParse(c.Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var number);
            parts.Add(c.Op switch
            {
                "in" => $"{text} IN ({q.BindList(c.Value.Split(',').Select(v => (object?)v.Trim()), DataKind.Text)})",
                "contains" => $"strpos({text}, {q.Bind(c.Value, DataKind.Text)}) > 0",
                "=" or "!=" when !numeric => $"{text} {(c.Op == "=" ? "=" : "<>")} {q.Bind(c.Value, DataKind.Text)}",
                _ when numeric => $"{q.Cast(column, DataKind.Number)} {(c.Op == "!=" ? "<>" : c.Op)} {q.Bind(number, DataKind.Number)}",
                _ => $"{text} {c.Op} {q.Bind(c.Value, DataKind.Text)}",
            });
        }
        return parts.Count == 0 ? "TRUE" : "(" + string.Join(" AND ", parts) + ")";
    }

    [GeneratedRegex(@"\s+where\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex WhereSplit();

    [GeneratedRegex(@"\s+and\s+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex AndSplit();

    [GeneratedRegex(@"^(?<column>[A-Za-z_][A-Za-z0-9_]*)\s*(?<op>!=|>=|<=|=|>|<|\bcontains\b|\bin\b)\s*(?<value>.+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Condition();
}

/// <summary>One condition of an <see cref="EventPattern"/>: <c>column op value</c>.</summary>
internal sealed record EventCondition(string Column, string Op, string Value);
