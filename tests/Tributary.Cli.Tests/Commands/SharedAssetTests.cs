using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>Two pipelines of one project that define the same asset id differently: one table, two definitions.</summary>
public sealed class SharedAssetTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private string Project => Path.Combine(_temp.Path, "project");

    public void Dispose() => _temp.Dispose();

    private async Task CreateAsync()
    {
        Assert.Equal(0, (await Trib.RunAsync("init", Project)).ExitCode);
        File.WriteAllText(Path.Combine(Project, "pipelines", "ltv.yaml"), """
            pipeline: ltv
            components:
              - { id: orders, type: transform.sql, with: { sql: "SELECT 'a@x' AS email" } }
              - { id: identity_graph, type: transform.sql, inputs: [orders], with: { sql: "SELECT email AS identifier FROM orders" } }
            """);
        File.WriteAllText(Path.Combine(Project, "pipelines", "attribution.yaml"), """
            pipeline: attribution
            components:
              - { id: orders, type: transform.sql, with: { sql: "SELECT 'a@x' AS email" } }
              - { id: events, type: transform.sql, with: { sql: "SELECT 'anon' AS anonymous_id" } }
              - id: identity_graph
                type: transform.sql
                inputs: [orders, events]
                with: { sql: "SELECT email AS identifier FROM orders UNION ALL SELECT anonymous_id FROM events" }
              - { id: paths, type: transform.sql, inputs: [identity_graph], with: { sql: "SELECT count(*) AS n FROM identity_graph" } }
              - { id: order_count, type: transform.sql, inputs: [orders], with: { sql: "SELECT count(*) AS n FROM orders" } }
            """);
    }

    [Fact]
    public async Task Validate_ProjectWhosePipelinesDefineAnAssetDifferently_WarnsNamingBothFilesAndExitsZero()
    {
        await CreateAsync();

        var result = await Trib.RunAsync("validate", "--project", Project);

        var attribution = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(Project, "pipelines", "attribution.yaml"));
        var ltv = Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(Project, "pipelines", "ltv.yaml"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"{ltv}:4:5: warning TRIB0209: asset 'identity_graph' of pipeline 'ltv' is defined differently in {attribution}:5:5 (pipeline 'attribution'), " +
            "and both write table 'identity_graph': whichever runs last replaces the other's, and a partial run of the other then fails until it rebuilds it. " +
            "Give one of them another id, or define both alike.", result.ErrorLines);
        Assert.Equal("1 warning", result.ErrorLines[^1]);
    }

    [Fact]
    public async Task Run_PartialRunReadingAnotherPipelinesDefinition_ExitsTwoSayingWhereAndHowToRebuild()
    {
        await CreateAsync();
        Assert.Equal(0, (await Trib.RunAsync("run", "attribution", "--project", Project)).ExitCode);
        Assert.Equal(0, (await Trib.RunAsync("run", "ltv", "--project", Project)).ExitCode);

        // orders is defined alike in both: reading ltv's is fine. identity_graph is not.
        var alike = await Trib.RunAsync("run", "attribution", "--select", "order_count", "--project", Project);
        var other = await Trib.RunAsync("run", "attribution", "--select", "paths", "--project", Project);

        Assert.True(alike.ExitCode == 0, alike.Error);
        Assert.Equal(2, other.ExitCode);
        Assert.Matches(@"run \S+ failed: input 'identity_graph' was last built by pipeline 'ltv' \(run \S+, [-0-9]+ [:0-9]+Z\), which defines it differently " +
            @"from this pipeline \(pipelines/attribution\.yaml:5:5\), so 'paths' would read the other pipeline's table\. Rebuild it with this pipeline's definition " +
            @"first: trib run attribution --select \+paths; or, to keep both, give one of the two assets another id\.", other.Error);
        Assert.Equal(0, (await Trib.RunAsync("run", "attribution", "--select", "+paths", "--project", Project)).ExitCode);
        Assert.Equal(0, (await Trib.RunAsync("run", "attribution", "--select", "paths", "--project", Project)).ExitCode);
    }
}
