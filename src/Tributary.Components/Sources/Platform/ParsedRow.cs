namespace Tributary.Components.Sources.Platform;

/// <summary>One record of an export file: its values when valid, or the reason it was rejected, with the raw text either way.</summary>
internal readonly record struct ParsedRow(long Line, string Raw, object?[]? Values, string? Reason)
{
    public static ParsedRow Valid(long line, string raw, object?[] values) => new(line, raw, values, null);
    public static ParsedRow Rejected(long line, string raw, string reason) => new(line, raw, null, reason);
}
