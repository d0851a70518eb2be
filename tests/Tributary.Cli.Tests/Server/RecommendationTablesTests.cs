using Tributary.Cli.Projects;
using Tributary.Engine.Runs;
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

    private static MaterializationRecord Written(string run, string asset, string metadata) =>
        new(run, asset, DateTimeOffset.UnixEpoch, 1, [], TimeSpan.Zero, metadata) { Step = asset, Output = "main" };

    [Fact]
    public async Task RecordedIdentityUpstream_ThroughInputsTheRunsRecorded_OrNotRecordedWhenARecordPredatesThem()
    {
        await using var store = await SqliteRunStore.OpenAsync(Path.Combine(_temp.Path, "runs.db"), TestContext.Current.CancellationToken);
        // Run r2 wrote only the recommendations; interactions, read through, were written by r1.
        var recommendations = Written("r2", "recommendations",
            """{"fallback_table":"f","inputs":[{"step":"interactions","type":"recs.interactions"},{"step":"similar","type":"recs.item_similarity"}]}""");
        var interactions = Written("r1", "interactions", """{"inputs":[{"step":"items","type":"source.csv"},{"step":"identity_graph","type":"identity.resolve"}]}""");
        var similar = Written("r1", "similar", """{"inputs":[{"step":"interactions","type":"recs.interactions"}]}""");
        var items = Written("r1", "items", """{"inputs":[]}""");

        async Task<(bool, string?)> UpstreamAsync(MaterializationRecord recs, params MaterializationRecord[] latest) =>
            await RecommendationTables.RecordedIdentityUpstreamAsync(store, recs, latest, TestContext.Current.CancellationToken);

        Assert.Equal((true, "identity_graph"), await UpstreamAsync(recommendations, recommendations, interactions, similar, items));
        Assert.Equal((true, null), await UpstreamAsync(recommendations, recommendations, interactions with { MetadataJson = """{"inputs":[{"step":"items","type":"source.csv"}]}""" }, similar, items));
        // Written before runs recorded their inputs: the caller falls back to the pipeline file.
        Assert.Equal((false, null), await UpstreamAsync(recommendations with { MetadataJson = """{"fallback_table":"f"}""" }, interactions, similar, items));
        Assert.Equal((false, null), await UpstreamAsync(recommendations, recommendations, interactions with { MetadataJson = "{}" }, similar, items));
    }
}
