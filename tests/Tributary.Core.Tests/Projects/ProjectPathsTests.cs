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

    [Theory]
    [InlineData("tributary.yaml", "which is 'tributary.yaml'")]
    [InlineData("./data/../tributary.yaml", "which is 'tributary.yaml'")]
    [InlineData("pipelines", "which is 'pipelines'")]
    [InlineData("pipelines/evil.yaml", "inside 'pipelines'")]
    [InlineData(".tributary/warehouse.duckdb", "inside '.tributary'")]
    [InlineData(".tributary/write-secret", "inside '.tributary'")]
    [InlineData(".tributary/new/folder/x.csv", "inside '.tributary'")]
    public void ResolveOutput_ControlFile_IsRefusedNamingIt(string path, string where)
    {
        var error = Assert.Throws<UnauthorizedAccessException>(() => new ProjectPaths(Project).ResolveOutput(path));

        Assert.Equal($"path '{path}' resolves to '{Path.GetFullPath(path, Project)}', {where}, one of the project's control files: no pipeline may write " +
            "tributary.yaml, the pipelines folder or .tributary/ (the warehouse, the run store, the secrets). Write to another folder, such as out/.", error.Message);
    }

    [Theory]
    [InlineData("out/x.csv")]
    [InlineData("tributary.yaml.csv")]
    [InlineData("pipelines-out/x.yaml")]
    [InlineData(".tributary-exports/x.csv")]
    [InlineData("data/pipelines/x.yaml")]
    public void ResolveOutput_OrdinaryFileBesideTheControlFiles_IsTheFullPath(string path)
    {
        Assert.Equal(Path.Combine(Project, path), new ProjectPaths(Project).ResolveOutput(path));
    }

    [Fact]
    public void Resolve_ControlFileForReading_IsAllowed()
    {
        Assert.Equal(Path.Combine(Project, "tributary.yaml"), new ProjectPaths(Project).Resolve("tributary.yaml"));
    }

    [Fact]
    public void ResolveOutput_LinkToAControlFileOrFolder_IsRefused()
    {
        Directory.CreateDirectory(Path.Combine(Project, ".tributary"));
        File.WriteAllText(Path.Combine(Project, "tributary.yaml"), "");
        Directory.CreateDirectory(Path.Combine(Project, "out"));
        File.CreateSymbolicLink(Path.Combine(Project, "out", "settings.csv"), "../tributary.yaml");
        Directory.CreateSymbolicLink(Path.Combine(Project, "state"), Path.Combine(Project, ".tributary"));
        // A link to where a control file does not exist yet is followed too.
        File.CreateSymbolicLink(Path.Combine(Project, "out", "new.csv"), "../pipelines/new.yaml");
        var paths = new ProjectPaths(Project);

        var error = Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("out/settings.csv"));
        Assert.StartsWith($"path 'out/settings.csv' resolves to '{Path.Combine(Project, "out", "settings.csv")}' (through a symbolic link, to " +
            $"'{Path.Combine(Project, "tributary.yaml")}'), which is 'tributary.yaml', one of the project's control files", error.Message, StringComparison.Ordinal);
        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("state/runs.db"));
        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("out/new.csv"));
    }

    [Fact]
    public void ResolveOutput_AllowedPathHoldingTheProject_StillRefusesControlFiles()
    {
        var paths = new ProjectPaths(Project, [_temp.Path]);

        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput(Path.Combine(Project, "tributary.yaml")));
        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("../project/pipelines/x.yaml"));
        Assert.Equal(Path.Combine(Outside, "x.csv"), paths.ResolveOutput("../outside/x.csv"));
    }

    [Fact]
    public void ResolveOutput_ControlPathsFromTributaryYaml_AreRefusedWhereverTheyAre()
    {
        File.WriteAllText(Path.Combine(Project, ProjectSettings.FileName),
            "warehouse: { duckdb: data/wh.duckdb }\nrun_store: state/runs.sqlite\npipelines: flows\nallowed_paths: [../outside]\n");
        var paths = ProjectSettings.Load(Project).Paths;

        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("flows/x.yaml"));
        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("data/wh.duckdb"));
        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("data/wh.duckdb.wal"));
        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("state/runs.sqlite-wal"));
        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("state/write-secret"));
        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput("state/intake.db"));
        Assert.Throws<UnauthorizedAccessException>(() => paths.ResolveOutput(".tributary/server.json"));
        Assert.Equal(Path.Combine(Project, "data", "out.csv"), paths.ResolveOutput("data/out.csv"));
    }

    [Theory]
    [InlineData("/")]
    [InlineData("..")]
    [InlineData("../..")]
    [InlineData("../project/..")]
    public void Load_AllowedPathsHoldingTheProject_IsRefusedAtTheItem(string allowed)
    {
        File.WriteAllText(Path.Combine(Project, ProjectSettings.FileName), $"allowed_paths:\n  - ../outside\n  - \"{allowed}\"\n");

        var error = Assert.Throws<Tributary.Core.Diagnostics.PipelineException>(() => ProjectSettings.Load(Project));

        var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(allowed, Project));
        Assert.Equal($"{Path.Combine(Project, "tributary.yaml")}:3:5: error TRIB0105: 'allowed_paths' in tributary.yaml may not list '{allowed}' ('{full}'): " +
            "it holds the project folder, so every pipeline could read and write everything beside it (other projects, the user's files). " +
            "List only the folders outside the project that pipelines need, e.g. /srv/exports; the project folder itself needs no entry.",
            Assert.Single(error.Diagnostics).ToString());
    }

    [Fact]
    public void Load_AllowedPathsNamingTheProjectItselfOrASibling_IsAccepted()
    {
        File.WriteAllText(Path.Combine(Project, ProjectSettings.FileName), "allowed_paths: [., ../outside, ../project-data]\n");

        Assert.Equal([Project, Outside, Project + "-data"], ProjectSettings.Load(Project).AllowedPaths);
    }
}
