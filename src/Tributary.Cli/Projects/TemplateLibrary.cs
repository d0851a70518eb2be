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

    /// <summary>The description line of a template, read without validating it.</summary>
    public static string Describe(string name)
    {
        var text = Read(name) ?? "";
        var line = text.Split('\n').FirstOrDefault(l => l.StartsWith("description:", StringComparison.Ordinal));
        return line is null ? "" : line["description:".Length..].Trim();
    }
}
