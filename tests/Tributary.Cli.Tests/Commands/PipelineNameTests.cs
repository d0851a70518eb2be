using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>A project knows a pipeline by its file name: validate, list and run agree on it, and refuse a file that says otherwise.</summary>
public sealed class PipelineNameTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "names");
    private string Pipelines => Path.Combine(Project, "pipelines");

    public void Dispose() => _temp.Dispose();

    private const string Ptype = """
        pipeline: ptype
        components:
          - { id: a, type: transform.sql, with: { sql: SELECT 1 AS v } }
        """;

    private string Shown(string file) => Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(Pipelines, file));

    [Fact]
    public async Task Validate_CopyOfAPipelineUnderAnotherFileName_IsAnErrorNamingBothFiles()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Pipelines, "ptype.yaml"), Ptype);
        File.WriteAllText(Path.Combine(Pipelines, "ptype_copy.yaml"), Ptype);

        var validate = await Trib.RunAsync("validate", "--project", Project);
        var list = await Trib.RunAsync("list", "--project", Project, "--format", "csv");
        var runCopy = await Trib.RunAsync("run", "ptype_copy", "--project", Project);
        var run = await Trib.RunAsync("run", "ptype", "--project", Project);

        Assert.Equal(1, validate.ExitCode);
        Assert.Contains($"{Shown("ptype_copy.yaml")}:1:11: error TRIB0210: pipeline name 'ptype' is not the file's name 'ptype_copy': the project runs, lists and " +
            "schedules this file as 'ptype_copy', and would record its runs as 'ptype'. Write 'pipeline: ptype_copy', or rename the file to ptype.yaml.", validate.ErrorLines);
        Assert.Contains($"{Shown("ptype_copy.yaml")}:1:11: error TRIB0211: pipeline 'ptype' is also declared in {Shown("ptype.yaml")}:1:11: a project's pipeline names must be unique. " +
            "Give this file its own name, its file name ('pipeline: ptype_copy'), or remove one of the two files.", validate.ErrorLines);
        Assert.Equal("pipeline,file,components,schedule,status\nptype,pipelines/ptype.yaml,1,,valid\nptype_copy,pipelines/ptype_copy.yaml,,,2 error(s): trib validate\n",
            list.Out.ReplaceLineEndings("\n"));
        Assert.Equal(1, runCopy.ExitCode);
        Assert.Contains("TRIB0210", runCopy.Error, StringComparison.Ordinal);
        Assert.True(run.ExitCode == 0, run.Error);
    }

    [Fact]
    public async Task Validate_YamlAndYmlOfOneName_IsAnErrorAndTheRunIsRefused()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Pipelines, "ptype.yaml"), Ptype);
        File.WriteAllText(Path.Combine(Pipelines, "ptype.yml"), Ptype);

        var validate = await Trib.RunAsync("validate", "--project", Project);
        var run = await Trib.RunAsync("run", "ptype", "--project", Project);

        Assert.Equal(1, validate.ExitCode);
        Assert.Contains($"{Shown("ptype.yml")}:1:11: error TRIB0211: pipeline 'ptype' is also declared in {Shown("ptype.yaml")}:1:11: a project's pipeline names must be unique. " +
            "Remove one of the two files, or rename it and its 'pipeline:' alike.", validate.ErrorLines);
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("two files define pipeline 'ptype': pipelines/ptype.yaml and pipelines/ptype.yml. Remove or rename one of them.", run.Error, StringComparison.Ordinal);
    }
}
