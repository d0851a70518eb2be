using Tributary.Core.Projects;
using Tributary.Testing;

namespace Tributary.Core.Tests.Projects;

public sealed class ProjectPathsTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");
    private string Outside => Path.Combine(_temp.Path, "outside");

    public ProjectPathsTests()
    {
        Directory.CreateDirectory(Path.Combine(Project, "data"));
        _temp.File("outside/secret.csv", "a\n1\n");
    }

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("data/orders.csv", "data/orders.csv")]
    [InlineData("out/new/file.csv", "out/new/file.csv")]
    [InlineData("data/../data/*.csv", "data/*.csv")]
    [InlineData("./data", "data")]
    public void Resolve_PathInsideTheProject_IsTheFullPath(string path, string expected)
    {
        Assert.Equal(Path.Combine(Project, expected), new ProjectPaths(Project).Resolve(path));
    }

    [Fact]
    public void Resolve_DotDotOutOfTheProject_IsRefusedNamingThePathAndAllowedPaths()
    {
        var error = Assert.Throws<UnauthorizedAccessException>(() => new ProjectPaths(Project).Resolve("../../x.csv"));

        Assert.Equal($"path '../../x.csv' resolves to '{Path.Combine(Path.GetDirectoryName(_temp.Path)!, "x.csv")}', outside the project folder '{Project}'. " +
            "Use a path inside the project, or list its folder under allowed_paths: in tributary.yaml.", error.Message);
    }

    [Fact]
    public void Resolve_AbsolutePathOrSiblingWithTheProjectAsPrefix_IsRefused()
    {
        var paths = new ProjectPaths(Project);

        Assert.Throws<UnauthorizedAccessException>(() => paths.Resolve("/etc/passwd"));
        Assert.Throws<UnauthorizedAccessException>(() => paths.Resolve(Project + "-other/x.csv"));
    }

    [Fact]
    public void Resolve_SymbolicLinkInsideTheProjectPointingOutside_IsRefused()
    {
        var link = Path.Combine(Project, "data", "secret.csv");
        File.CreateSymbolicLink(link, Path.Combine(Outside, "secret.csv"));
        Directory.CreateSymbolicLink(Path.Combine(Project, "exports"), Outside);
        var paths = new ProjectPaths(Project);

        var error = Assert.Throws<UnauthorizedAccessException>(() => paths.Resolve("data/secret.csv"));
        Assert.Equal($"path 'data/secret.csv' resolves to '{link}' (through a symbolic link, to '{Path.Combine(Outside, "secret.csv")}'), outside the project folder '{Project}'. " +
            "Use a path inside the project, or list its folder under allowed_paths: in tributary.yaml.", error.Message);
        // A folder link too, also for a file that does not exist yet (an export about to be written).
        Assert.Throws<UnauthorizedAccessException>(() => paths.Resolve("exports/new.csv"));
    }

    [Fact]
    public void Resolve_LinkChainAndDanglingLinkLeadingOutside_AreRefused()
    {
        File.CreateSymbolicLink(Path.Combine(Project, "data", "hop2"), Path.Combine(Outside, "secret.csv"));
        File.CreateSymbolicLink(Path.Combine(Project, "data", "hop1"), "hop2");
        File.CreateSymbolicLink(Path.Combine(Project, "data", "dangling.csv"), Path.Combine(Outside, "not-yet.csv"));
        var paths = new ProjectPaths(Project);

        Assert.Throws<UnauthorizedAccessException>(() => paths.Resolve("data/hop1"));
        Assert.Throws<UnauthorizedAccessException>(() => paths.Resolve("data/dangling.csv"));
    }

    [Fact]
    public void Resolve_LinkStayingInsideTheProject_IsAllowed()
    {
        File.WriteAllText(Path.Combine(Project, "data", "real.csv"), "a\n");
        File.CreateSymbolicLink(Path.Combine(Project, "data", "alias.csv"), "real.csv");

        Assert.Equal(Path.Combine(Project, "data", "alias.csv"), new ProjectPaths(Project).Resolve("data/alias.csv"));
    }

    [Fact]
    public void Resolve_FolderListedInAllowedPaths_IsAllowedAndNamedWhenSomethingElseIsRefused()
    {
        var paths = new ProjectPaths(Project, ["../outside"]);

        Assert.Equal(Path.Combine(Outside, "secret.csv"), paths.Resolve(Path.Combine(Outside, "secret.csv")));
        Assert.Equal(Path.Combine(Outside, "secret.csv"), paths.Resolve("../outside/secret.csv"));
        var error = Assert.Throws<UnauthorizedAccessException>(() => paths.Resolve("/etc/passwd"));
        Assert.Equal($"path '/etc/passwd' resolves to '/etc/passwd', outside the project folder '{Project}' and the allowed_paths ({Outside}). " +
            "Use a path inside the project, or list its folder under allowed_paths: in tributary.yaml.", error.Message);
    }

    [Fact]
    public void Load_AllowedPathsInTributaryYaml_ResolveAgainstTheProject()
    {
        File.WriteAllText(Path.Combine(Project, ProjectSettings.FileName), "allowed_paths: [../outside, /srv/exports]\n");

        var settings = ProjectSettings.Load(Project);

        Assert.Equal([Outside, "/srv/exports"], settings.AllowedPaths);
        Assert.Equal([Project, Outside, "/srv/exports"], settings.Paths.Roots);
    }
}
