namespace Tributary.Server.Contracts;

/// <summary>One condition of an audience, as <c>segment.audience</c>'s <c>conditions</c> write it.</summary>
/// <param name="Column">A column of the table.</param>
/// <param name="Op">=, !=, &gt;, &gt;=, &lt;, &lt;=, in, not in, is null, is not null, contains, within last, older than.</param>
/// <param name="Value">The value as text: a number of days for within last and older than, items separated by commas for in and not in (send Values when an item holds a comma); none for is null.</param>
/// <param name="Values">The items of in and not in, when sent as a list (then <paramref name="Value"/> is left out).</param>
public sealed record AudienceConditionView(string Column, string Op, string? Value = null, IReadOnlyList<string>? Values = null);
