using Tributary.Core.Loading;
using static Tributary.Core.Tests.Loading.TestPipelines;

namespace Tributary.Core.Tests.Loading;

/// <summary>
/// Tributary's own variables (TRIBUTARY_TOKEN, every TRIBUTARY_*, tributary.yaml's postgres_env ones) are refused wherever a
/// pipeline names one, set or not: a pipeline that could read them could copy the server's token into a table.
/// </summary>
public sealed class ReservedVariablesTests
{
    private const string Hint = "Give the pipeline its own variable (e.g. SHOPIFY_TOKEN); names starting TRIBUTARY_, and tributary.yaml's postgres_env variables, are Tributary's.";

    // Set, so that only the name is refused; the designer validates with every variable "set".
    private static LoadOptions Everything(params string[] reserved) => new() { Environment = _ => "a-secret-value", ReservedEnvironment = reserved.ToHashSet() };

    [Fact]
    public void Load_EnvReferenceToTheServersToken_IsAnErrorAtTheReference()
    {
        var yaml = """
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT ${env.TRIBUTARY_TOKEN} AS token" } }
            """;

        Assert.Equal([$"p.yaml:3:56: error TRIB0303: '${{env.TRIBUTARY_TOKEN}}' names environment variable 'TRIBUTARY_TOKEN', which holds a secret of Tributary itself; a pipeline may not read it. {Hint}"],
            Problems(yaml, Everything()));
    }

    [Theory]
    [InlineData("tributary_token")]
    [InlineData("Tributary_Runs")]
    [InlineData("TRIBUTARY_ANYTHING_ELSE")]
    public void Load_EnvReferenceWithAReservedPrefix_IsRefusedInAnyCase(string name)
    {
        var result = Load($"pipeline: p\ncomponents: [{{ id: t, type: transform.sql, with: {{ sql: \"SELECT '${{env.{name}}}' AS x\" }} }}]\n", Everything());

        Assert.False(result.Succeeded);
        Assert.Equal(["TRIB0303"], result.Diagnostics.Select(d => d.Code));
    }

    [Fact]
    public void Load_EnvReferenceToTheProjectsConnectionStringVariable_IsRefused()
    {
        var yaml = """
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT ${env.DATABASE_URL} AS u" } }
            """;

        Assert.Equal([$"p.yaml:3:56: error TRIB0303: '${{env.DATABASE_URL}}' names environment variable 'DATABASE_URL', which holds a secret of Tributary itself; a pipeline may not read it. {Hint}"],
            Problems(yaml, Everything("DATABASE_URL")));
        Assert.True(Load(yaml, Everything()).Succeeded);
    }

    [Fact]
    public void Load_ComponentEnvSettingNamingAReservedVariable_IsAnErrorAtItsValue()
    {
        var problems = Problems("""
            pipeline: p
            components:
              - { id: s, type: source.sql, with: { connection_env: TRIBUTARY_RUNS, query: "SELECT 1" } }
            """, Everything());

        Assert.Contains($"p.yaml:3:56: error TRIB0303: 'connection_env' of component 's' (source.sql) names environment variable 'TRIBUTARY_RUNS', which holds a secret of Tributary itself; a pipeline may not read it. {Hint}", problems);
    }

    [Fact]
    public void Load_OnFailureNamingAReservedVariable_IsAnErrorAtTheName()
    {
        Assert.Equal([$"p.yaml:2:32: error TRIB0303: on_failure's webhook_url_env names environment variable 'TRIBUTARY_WAREHOUSE', which holds a secret of Tributary itself; a pipeline may not read it. {Hint}"],
            Problems("pipeline: p\non_failure: { webhook_url_env: TRIBUTARY_WAREHOUSE }\ncomponents: [{ id: t, type: transform.sql, with: { sql: SELECT 1 } }]\n", Everything()));
    }

    [Fact]
    public void Load_EnvReferenceToAnOrdinaryVariable_IsKeptForTheRunToMask()
    {
        var spec = Valid("pipeline: p\ncomponents: [{ id: t, type: transform.sql, with: { sql: \"SELECT ${env.SHOPIFY_TOKEN} AS x\" } }]\n",
            new LoadOptions { Environment = n => n == "SHOPIFY_TOKEN" ? "shpat_123456" : null });

        Assert.Equal(new Dictionary<string, string> { ["SHOPIFY_TOKEN"] = "shpat_123456" }, spec.EnvironmentValues);
    }
}
