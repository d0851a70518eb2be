using Tributary.Cli.Projects;
using Tributary.Server.Api;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Server;

/// <summary>Which identity graph the recommendation API resolves customers through: the one upstream of the recommendations in their pipeline.</summary>
public sealed class RecommendationTablesTests : IDisposable
{
    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Theory]
    [InlineData("product_recommendations")]
    [InlineData("full_cdp")]
    public async Task IdentityUpstream_OfATemplatesRecommendations_IsItsIdentityGraph(string template)
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        File.Copy(Path.Combine(RepositoryFiles.Templates, template + ".yaml"), Path.Combine(directory, "pipelines", template + ".yaml"));
        await using var project = ProjectSession.Open(directory, TimeProvider.System);

        var pipeline = project.LoadPipeline(template, new Dictionary<string, string>());

        // Not journey_identity_graph or attribution_identity_graph, which other templates write beside it.
        Assert.Equal("identity_graph", RecommendationTables.IdentityUpstream(pipeline, "recommendations"));
    }

    [Fact]
    public async Task IdentityUpstream_WithoutAnIdentityStep_IsNull()
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        File.WriteAllText(Path.Combine(directory, "pipelines", "recs.yaml"), """
            pipeline: recs
            components:
              - { id: items, type: source.csv, with: { path: items.csv, columns: { email: VARCHAR, order_id: VARCHAR, sku: VARCHAR, ordered_at: DATE } } }
              - { id: interactions, type: recs.interactions, inputs: [items], with: { customer_column: email } }
              - { id: similar, type: recs.item_similarity, inputs: [interactions] }
              - { id: recommendations, type: recs.for_customers, inputs: [interactions, similar] }
            """);
        await using var project = ProjectSession.Open(directory, TimeProvider.System);

        var pipeline = project.LoadPipeline("recs", new Dictionary<string, string>());

        Assert.Null(RecommendationTables.IdentityUpstream(pipeline, "recommendations"));
        Assert.Null(RecommendationTables.IdentityUpstream(pipeline, "no_such_step"));
    }
}
