namespace Tributary.Core.Warehousing;

/// <summary>The columns of a table, in order.</summary>
public sealed record TableSchema(IReadOnlyList<ColumnSchema> Columns)
{
    /// <summary>The column of that name (case-insensitive, as SQL folds it), or null.</summary>
    public ColumnSchema? Find(string name) =>
        Columns.FirstOrDefault(c => string.Equals(c.Name, name, StringComparison.OrdinalIgnoreCase));
}

/// <summary>One column: its name, the engine's own type name, and the portable kind.</summary>
public sealed record ColumnSchema(string Name, string SqlType, DataKind Kind);

/// <summary>Portable column kinds, so components can state needs without naming one engine's types.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name", Justification = "Named after the portable SQL kinds (INTEGER), not .NET types.")]
public enum DataKind
{
    /// <summary>Text.</summary>
    Text,
    /// <summary>Whole numbers.</summary>
    Integer,
    /// <summary>Floating point or decimal numbers.</summary>
    Number,
    /// <summary>true/false.</summary>
    Boolean,
    /// <summary>Calendar date.</summary>
    Date,
    /// <summary>Date and time.</summary>
    Timestamp,
    /// <summary>Anything else (lists, structs, blobs).</summary>
    Other,
}
