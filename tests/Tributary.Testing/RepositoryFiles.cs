namespace Tributary.Testing;

/// <summary>Finds files of this repository (fixtures, templates) and the team's shared data from a test's bin folder.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string InvalidPipelines => Path.Combine(Root, "tests", "fixtures", "invalid");

    public static string Templates => Path.Combine(Root, "pipelines");

    /// <summary>The team's shared data folder beside the repository, or null when absent (tests then skip).</summary>
    public static string? SharedData =>
        Directory.Exists(Path.Combine(Root, "..", "shared", "data")) ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "data")) : null;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Tributary.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Tributary.slnx not found above " + AppContext.BaseDirectory);
    }
}
