using Tributary.Components;
using Tributary.Core.Loading;
using Tributary.Testing;

namespace Tributary.Core.Tests.Loading;

/// <summary>
/// The shared table of malformed pipelines: each tests/fixtures/invalid/NAME.yaml has NAME.expected with every
/// diagnostic, exact to line, column and text. The CLI tests run 'trib validate' on the same table.
/// </summary>
public sealed class PipelineLoaderFixtureTests
{
    public static TheoryData<string> Fixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(RepositoryFiles.InvalidPipelines, "*.yaml").Order()) data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    public static TheoryData<string> ValidFixtures()
    {
        var data = new TheoryData<string>();
        foreach (var f in Directory.GetFiles(RepositoryFiles.ValidPipelines, "*.yaml").Order()) data.Add(Path.GetFileNameWithoutExtension(f));
        return data;
    }

    [Theory]
    [MemberData(nameof(ValidFixtures))]
    public void Load_ValidFixture_HasNoDiagnostic(string name)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryFiles.ValidPipelines, name + ".yaml"));

        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(text, name + ".yaml", new LoadOptions { Environment = _ => null });

        Assert.Empty(result.Diagnostics.Select(d => d.ToString()));
        Assert.True(result.Succeeded);
    }

    [Fact]
    public void Fixtures_CoverAtLeastTwentyDistinctMistakes() => Assert.True(Fixtures().Count >= 20, $"only {Fixtures().Count} fixtures");

    [Theory]
    [MemberData(nameof(Fixtures))]
    public void Load_InvalidFixture_ReportsExactlyTheExpectedDiagnostics(string name)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryFiles.InvalidPipelines, name + ".yaml"));
        var expected = File.ReadAllLines(Path.Combine(RepositoryFiles.InvalidPipelines, name + ".expected")).Where(l => l.Length > 0).ToList();

        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(text, name + ".yaml", new LoadOptions { Environment = _ => null });

        Assert.False(result.Succeeded);
        Assert.Null(result.Pipeline);
        Assert.NotEmpty(expected);
        Assert.Equal(expected, result.Diagnostics.Select(d => d.ToString()).ToList());
    }
}
