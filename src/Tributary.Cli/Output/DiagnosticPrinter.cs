using Tributary.Core.Diagnostics;

namespace Tributary.Cli.Output;

/// <summary>Prints diagnostics compiler-style, each with the source line and a caret under the column.</summary>
internal static class DiagnosticPrinter
{
    public static void Print(TextWriter error, IReadOnlyList<Diagnostic> diagnostics, string baseDirectory)
    {
        var files = new Dictionary<string, string[]>();
        foreach (var d in diagnostics)
        {
            var shown = d with { Location = d.Location with { File = Relative(d.Location.File, baseDirectory) } };
            error.WriteLine(shown.ToString());
            if (!files.TryGetValue(d.Location.File, out var lines))
                files[d.Location.File] = lines = File.Exists(d.Location.File) ? File.ReadAllLines(d.Location.File) : [];
            var index = d.Location.Line - 1;
            if (index < 0 || index >= lines.Length) continue;
            var gutter = d.Location.Line.ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(5);
            error.WriteLine($"{gutter} | {lines[index]}");
            error.WriteLine($"{new string(' ', gutter.Length)} | {new string(' ', Math.Max(0, d.Location.Column - 1))}^");
        }
        var warnings = diagnostics.Count(d => d.IsWarning);
        var errors = diagnostics.Count - warnings;
        var counts = new List<string>();
        if (errors > 0 || warnings == 0) counts.Add(errors == 1 ? "1 error" : $"{errors} errors");
        if (warnings > 0) counts.Add(warnings == 1 ? "1 warning" : $"{warnings} warnings");
        error.WriteLine(string.Join(", ", counts));
    }

    private static string Relative(string file, string baseDirectory) =>
        Path.IsPathRooted(file) ? Path.GetRelativePath(baseDirectory, file) : file;
}
