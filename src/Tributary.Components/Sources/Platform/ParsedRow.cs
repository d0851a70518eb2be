namespace Tributary.Components.Sources.Platform;

/// <summary>One record of an export file: its values when valid, or the reason it was rejected, with the raw text either way.</summary>
internal readonly record struct ParsedRow(long Line, string Raw, object?[]? Values, string? Reason)
{
    /// <summary>The columns a loader stores after a row's values: the file and the line.</summary>
    public const int LoaderColumns = 2;

    public static ParsedRow Valid(long line, string raw, object?[] values) => new(line, raw, values, null);
    public static ParsedRow Rejected(long line, string raw, string reason) => new(line, raw, null, reason);

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
