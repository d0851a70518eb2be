using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Text.Json;
using Tributary.Core.Components;

namespace Tributary.Components.Segments;

/// <summary>Parameters of <c>segment.audience</c>.</summary>
public sealed record AudienceParameters : IValidatableObject
{
    /// <summary>The conditions.</summary>
    [Description("Conditions on the input's columns, each a mapping: column, op and value. op is one of =, !=, >, >=, <, <=, in, not in (value: a list such as [gold, \"Acme, Inc.\"], or items separated by commas), is null, is not null (no value), contains (text, ignoring case), within last, older than (value: a number of days; a TIMESTAMP column is compared with the run's time minus N x 24 hours, a DATE column with today in the project's timezone minus N days). != and not in keep rows where the column is empty. Each value must fit its column's type: a number for a numeric column, YYYY-MM-DD for a date, true or false for a boolean; comparing a text column with a number by > >= < <= is refused. An empty list selects every row.")]
    public required IReadOnlyList<IReadOnlyDictionary<string, JsonElement>> Conditions { get; init; }

    /// <summary>How the conditions combine.</summary>
    [Description("all: a row matches when every condition holds; any: when at least one does. Default all.")]
    public AudienceMatch Match { get; init; } = AudienceMatch.All;

    /// <summary>Most rows written.</summary>
    [Description("Most rows written: the first ones by order_by (ties broken by the other columns, so the same data gives the same rows). Needs order_by. Default: every matching row.")]
    [Range(1, int.MaxValue)]
    public int? Limit { get; init; }

    /// <summary>Ordering for the limit.</summary>
    [Description("Column that orders the rows for limit, optionally followed by asc or desc, e.g. 'clv desc'. Empty values come last.")]
    public string? OrderBy { get; init; }

    internal static readonly string[] Fields = ["column", "op", "value"];

    /// <summary>The conditions as records, in order.</summary>
    public IReadOnlyList<AudienceCondition> Parsed =>
        Conditions.Select(c => AudienceCondition.Of(Text(c, "column"), Text(c, "op"), c.GetValueOrDefault("value"))).ToList();

    // Column and op are text; a list there is no name, and shows as written so that the check names it.
    private static string Text(IReadOnlyDictionary<string, JsonElement> condition, string field) =>
        condition.GetValueOrDefault(field) is var e && e.ValueKind == JsonValueKind.String ? e.GetString() ?? ""
        : e.ValueKind is JsonValueKind.Undefined or JsonValueKind.Null ? "" : e.GetRawText();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (c, i) in Conditions.Select((c, i) => (c, i + 1)))
            foreach (var key in c.Keys.Where(k => !Fields.Contains(k)))
                yield return new ValidationResult($"condition {i}: unknown field '{key}'.{NameSuggestion.Format(key, Fields)} Fields: {string.Join(", ", Fields)}.", [nameof(Conditions)]);
        foreach (var problem in AudienceQuery.CheckShape(Parsed)) yield return new ValidationResult(problem, [nameof(Conditions)]);
        if (Limit is not null && string.IsNullOrWhiteSpace(OrderBy))
            yield return new ValidationResult("limit needs order_by (e.g. 'clv desc'): which rows are first?", [nameof(Limit)]);
    }
}

/// <summary>
/// An audience: the input's rows (every column) that match conditions on its columns, as a marketer builds them on the
/// Audiences page, for an activation step to send. Values are bound and columns quoted (<see cref="AudienceQuery"/>).
/// </summary>
public sealed class Audience : IComponent<AudienceParameters>
{
    /// <inheritdoc />
    public static string TypeName => "segment.audience";
    /// <inheritdoc />
    public static string Description => "Select the customers that match conditions on a profile table's columns (an audience) for activation.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(AudienceParameters parameters, PlanContext context)
    {
        var input = context.Inputs[0];
        if (input.Schema is { } schema && AudienceQuery.Check(input.Id, schema, parameters.Parsed, parameters.OrderBy) is { Count: > 0 } problems)
            throw new PlanException(string.Join(" ", problems));
        return new ComponentPlan(input.Schema, []) { MainDescription = "The input's rows that match the audience's conditions, with all its columns." };
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(AudienceParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var input = context.Inputs[0];
        var schema = await w.DescribeTableAsync(input, cancellationToken).ConfigureAwait(false)
            ?? throw new InputDataException($"input '{input}' does not exist.");
        var now = context.Time.GetUtcNow().UtcDateTime;
        var conditions = p.Parsed;
        var selected = AudienceQuery.Build(w.Dialect, input, schema, conditions, p.Match, p.Limit, p.OrderBy, now, context.TimeZone);
        var all = AudienceQuery.Build(w.Dialect, input, schema, conditions, p.Match, null, null, now, context.TimeZone);
        var rowsIn = Count(await w.ScalarAsync($"SELECT count(*) FROM {w.Dialect.Quote(input)}", null, cancellationToken).ConfigureAwait(false));
        var matched = p.Limit is null ? (long?)null
            : Count(await w.ScalarAsync($"SELECT count(*) FROM ({all.Sql}) a", all.Parameters, cancellationToken).ConfigureAwait(false));
        var rows = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(selected.Sql, selected.Parameters, ct), cancellationToken).ConfigureAwait(false);
        context.Log($"{rows:N0} of {rowsIn:N0} rows in the audience" + (matched is { } m && m > rows ? $" ({m:N0} match; limit {p.Limit:N0})" : ""));
        return new Materialization(rows, new Dictionary<string, object?>
        {
            ["rows_in"] = rowsIn, ["rows_matched"] = matched ?? rows, ["conditions"] = conditions.Count, ["match"] = p.Match.ToString().ToLowerInvariant(),
        });
    }

    private static long Count(object? value) => Convert.ToInt64(value ?? 0L, CultureInfo.InvariantCulture);
}
