using System.Text.Json;

namespace Tributary.Components.Segments;

/// <summary>
/// One condition of an audience: a column of the input, an operator, and its values (none for <c>is null</c>, one for most,
/// several for <c>in</c>). Values are text as written; <see cref="AudienceQuery"/> checks them against the column's type.
/// </summary>
/// <param name="Column">A column of the input table.</param>
/// <param name="Op">One of <see cref="Operators"/>.</param>
/// <param name="Values">The values, as text.</param>
public sealed record AudienceCondition(string Column, string Op, IReadOnlyList<string> Values)
{
    /// <summary>Every operator, as written in YAML and sent by the web page.</summary>
    public static readonly IReadOnlyList<string> Operators =
        ["=", "!=", ">", ">=", "<", "<=", "in", "not in", "is null", "is not null", "contains", "within last", "older than"];

    /// <summary>The operators that take no value.</summary>
    public static bool TakesNoValue(string op) => op is "is null" or "is not null";

    /// <summary>The operators whose value is a list.</summary>
    public static bool TakesList(string op) => op is "in" or "not in";

    /// <summary>The operators whose value is a number of days.</summary>
    public static bool TakesDays(string op) => op is "within last" or "older than";

    /// <summary>
    /// A condition as YAML writes it: <c>{ column, op, value }</c>, where an <c>in</c> list's items given as one text are separated by commas
    /// (spaces around them trimmed). The operator is lower-cased with runs of spaces made one.
    /// </summary>
    public static AudienceCondition Of(string column, string op, string? value)
    {
        var normalized = Normalize(op);
        IReadOnlyList<string> values = string.IsNullOrEmpty(value) ? []
            : TakesList(normalized) ? value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            : [value];
        return new AudienceCondition(column, normalized, values);
    }

    /// <summary>A condition whose values are a list (YAML <c>value: [gold, "Acme, Inc."]</c>): each item as written, commas and all.</summary>
    public static AudienceCondition Of(string column, string op, IReadOnlyList<string> items) => new(column, Normalize(op), items);

    /// <summary>
    /// A condition as a parameters record holds it: <paramref name="value"/> is text (see <see cref="Of(string, string, string?)"/>),
    /// a list of text, or absent.
    /// </summary>
    public static AudienceCondition Of(string column, string op, JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Array => Of(column, op, value.EnumerateArray().Select(Text).ToList()),
        JsonValueKind.Undefined or JsonValueKind.Null => Of(column, op, (string?)null),
        _ => Of(column, op, Text(value)),
    };

    private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() ?? "" : e.GetRawText();

    private static string Normalize(string op) => string.Join(' ', op.Trim().ToLowerInvariant().Split(' ', StringSplitOptions.RemoveEmptyEntries));
}
