namespace Tributary.Components.Sources.Platform;

/// <summary>One record of an export file: its values when valid, or the reason it was rejected, with the raw text either way.</summary>
/// <param name="Line">The line the record starts on.</param>
/// <param name="Raw">The record's text.</param>
/// <param name="Values">Its typed values, or null when rejected or skipped.</param>
/// <param name="Reason">Why it was rejected.</param>
/// <param name="Summary">A row of the report's own totals (Google Ads' "Total: Account"): neither loaded nor rejected, only counted.</param>
internal readonly record struct ParsedRow(long Line, string Raw, object?[]? Values, string? Reason, bool Summary = false)
{
    /// <summary>The columns a loader stores after a row's values: the file and the line.</summary>
    public const int LoaderColumns = 2;

    public static ParsedRow Valid(long line, string raw, object?[] values) => new(line, raw, values, null);
    public static ParsedRow Rejected(long line, string raw, string reason) => new(line, raw, null, reason);
    public static ParsedRow Skip(long line, string raw) => new(line, raw, null, null, Summary: true);

    /// <summary>
    /// A valid row as the loader stores it: its <paramref name="columns"/> values, then <paramref name="file"/> and the line.
    /// Values with <see cref="LoaderColumns"/> free slots after them are filled in place, saving a copy of every row.
    /// </summary>
    public object?[] Stored(int columns, string file)
    {
        var values = Values ?? throw new InvalidOperationException("a rejected row is not stored");
        if (values.Length != columns + LoaderColumns) return [.. values, file, Line];
        values[columns] = file;
        values[columns + 1] = Line;
        return values;
    }
}
