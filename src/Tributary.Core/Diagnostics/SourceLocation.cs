namespace Tributary.Core.Diagnostics;

/// <summary>A position in a pipeline file; line and column are 1-based.</summary>
public readonly record struct SourceLocation(string File, int Line, int Column)
{
    /// <summary>A location for problems that belong to a file as a whole.</summary>
    public static SourceLocation StartOf(string file) => new(file, 1, 1);

    /// <inheritdoc />
    public override string ToString() => $"{File}:{Line}:{Column}";
}
