namespace Tributary.Core.Components;

/// <summary>
/// The one place that names the physical table of a declared output: the main output is the asset itself, a side output
/// is <c>ASSET__NAME</c>. Nothing else builds or parses these names; callers ask the plan or the context.
/// </summary>
public static class OutputTables
{
    /// <summary>Separates the asset from a side output's name; component ids may not contain it.</summary>
    public const string Separator = "__";

    /// <summary>The table holding output <paramref name="output"/> of step <paramref name="asset"/>.</summary>
    public static string Of(string asset, string output) =>
        output == DeclaredOutput.MainName ? asset : asset + Separator + output;
}
