using System.Reflection;
using Tributary.Core.Loading;

namespace Tributary.Cli.Projects;

/// <summary>The use-case templates shipped inside the tool, so <c>trib templates add</c> works wherever trib is installed.</summary>
internal static class TemplateLibrary
{
    private const string Prefix = "templates/";

    /// <summary>Template names, sorted.</summary>
    public static IReadOnlyList<string> Names =>
        typeof(TemplateLibrary).Assembly.GetManifestResourceNames()
            .Where(n => n.StartsWith(Prefix, StringComparison.Ordinal) && !n[Prefix.Length..].Contains('/', StringComparison.Ordinal))
            .Select(n => Path.GetFileNameWithoutExtension(n[Prefix.Length..])).Order(StringComparer.Ordinal).ToList();

    /// <summary>The YAML text of a template, or null.</summary>
    public static string? Read(string name)
    {
        using var stream = typeof(TemplateLibrary).Assembly.GetManifestResourceStream($"{Prefix}{name}.yaml");
        if (stream is null) return null;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    /// <summary>The description of a template on one line, read without validating it (a folded block is joined).</summary>
    public static string Describe(string name)
    {
        var lines = (Read(name) ?? "").Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var at = lines.FindIndex(l => l.StartsWith("description:", StringComparison.Ordinal));
        if (at < 0) return "";
        var value = lines[at]["description:".Length..].Trim();
        // A block scalar (>-, |, ...) holds the text on the indented lines that follow.
        if (value.Length == 0 || value[0] is '>' or '|')
            value = string.Join(" ", lines.Skip(at + 1).TakeWhile(l => l.Length == 0 || l[0] == ' ').Select(l => l.Trim()).Where(l => l.Length > 0));
        return value.Length >= 2 && value[0] is '"' or '\'' && value[^1] == value[0] ? value[1..^1] : value;
    }
}
