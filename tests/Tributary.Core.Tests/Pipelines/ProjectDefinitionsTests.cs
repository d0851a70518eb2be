using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Components;

namespace Tributary.Core.Tests.Pipelines;

public sealed class ProjectDefinitionsTests
{
    private static PipelineSpec Load(string file, string yaml)
    {
        var result = new PipelineLoader(BuiltInComponents.CreateCatalog()).Load(yaml, file, new LoadOptions { Environment = _ => null });
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Pipeline!;
    }

    private static readonly PipelineSpec Ltv = Load("pipelines/ltv.yaml", """
        pipeline: ltv
        components:
          - { id: orders, type: transform.sql, with: { sql: "SELECT 'a@x' AS email" } }
          - { id: identity_graph, type: transform.sql, inputs: [orders], with: { sql: "SELECT email FROM orders" } }
        """);

    [Fact]
    public void Compare_AnAssetDefinedDifferently_WarnsAtTheLaterNamingTheFirstFileAndLine()
    {
        var attribution = Load("pipelines/attribution.yaml", """
            pipeline: attribution
            components:
              - id: orders
                type: transform.sql
                with: { sql: "SELECT 'a@x' AS email" }
                checks: [{ type: not_null, column: email }]
              - { id: events, type: transform.sql, with: { sql: "SELECT 'anon' AS anonymous_id" } }
              - id: identity_graph
                type: transform.sql
                inputs: [orders, events]
                with: { sql: "SELECT email FROM orders UNION ALL SELECT anonymous_id FROM events" }
            """);

        var warnings = ProjectDefinitions.Compare([Ltv, attribution, Ltv with { Name = "ltv_again", File = "pipelines/ltv_again.yaml" }]);

        var warning = Assert.Single(warnings);
        Assert.Equal("pipelines/attribution.yaml:8:5: warning TRIB0209: asset 'identity_graph' of pipeline 'attribution' is defined differently in " +
            "pipelines/ltv.yaml:4:5 (pipeline 'ltv'), and both write table 'identity_graph': whichever runs last replaces the other's, and a partial run " +
            "of the other then fails until it rebuilds it. Give one of them another id, or define both alike.", warning.ToString());
        Assert.True(warning.IsWarning);
    }

    [Fact]
    public void Compare_SharedTemplatesOfOneProject_WarnOnlyOnTheIdentityFamily()
    {
        var templates = new[] { "customer_ltv", "marketing_attribution", "customer_journey", "ab_testing", "churn_prevention", "product_recommendations",
            "propensity_marketing", "fraud_detection" }
            .Select(t => new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(Path.Combine(Testing.RepositoryFiles.Templates, t + ".yaml"),
                new LoadOptions { Environment = _ => null }).GetPipelineOrThrow()).ToList();

        var warnings = ProjectDefinitions.Compare(templates);

        // Those resolving identity for Customer 360 share identity_graph (and the orders by person read from it) on purpose:
        // stable profile ids. Nothing else: churn's LTV is its own table, not the customer_ltv template's.
        Assert.Equal([("churn_prevention", "identity_graph"), ("churn_prevention", "customer_orders"), ("product_recommendations", "identity_graph")],
            warnings.Select(w => (Path.GetFileNameWithoutExtension(w.Location.File), w.Message.Split('\'')[1])));
    }
}
