namespace Tributary.Testing;

/// <summary>Finds files of this repository (fixtures, templates) and the team's shared data from a test's bin folder.</summary>
public static class RepositoryFiles
{
    public static string Root { get; } = FindRoot();

    public static string InvalidPipelines => Path.Combine(Root, "tests", "fixtures", "invalid");

    /// <summary>Pipelines that must load without a diagnostic (a form the loader accepts, kept beside the invalid ones).</summary>
    public static string ValidPipelines => Path.Combine(Root, "tests", "fixtures", "valid");

    public static string Templates => Path.Combine(Root, "pipelines");

    /// <summary>The team's shared data folder beside the repository, or null when absent.</summary>
    public static string? SharedData =>
        Directory.Exists(Path.Combine(Root, "..", "shared", "data")) ? Path.GetFullPath(Path.Combine(Root, "..", "shared", "data")) : null;

    /// <summary>
    /// A data set folder under the shared data (e.g. "cdnow"). When it is absent the calling test skips with a clear
    /// message, except under TRIB_REQUIRE_SHARED_DATA=1 (set by CI, where the data is always present), where it fails:
    /// published-number tests must never pass by skipping there.
    /// </summary>
    public static string RequireSharedData(string name)
    {
        var folder = SharedData is { } d ? Path.Combine(d, name) : null;
        if (folder is not null && Directory.Exists(folder)) return folder;
        var message = $"{name} data not found: expected ../shared/data/{name}/ beside the repository (the team's shared data).";
        if (Environment.GetEnvironmentVariable("TRIB_REQUIRE_SHARED_DATA") == "1") throw new InvalidOperationException(message + " TRIB_REQUIRE_SHARED_DATA=1 makes this a failure.");
        Assert.Skip(message);
        return folder!;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Tributary.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Tributary.slnx not found above " + AppContext.BaseDirectory);
    }
}
