using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Exports;

/// <summary>Files that pipelines write hold people's data: only their owner reads them unless file_mode says otherwise.</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class FileModeTests(PostgresCluster postgres)
{
    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task EveryWriter_ByDefault_WritesAFileOnlyItsOwnerCanRead(string engine)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes: Windows files take their folder's ACL.");
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 'a@x.com' AS email, 1 AS customer_id, 1 AS rank, 'x' AS s, TRUE AS marketing_consent" } }
              - { id: csv, type: export.csv, inputs: [t], with: { path: out/t.csv } }
              - { id: parquet, type: export.parquet, inputs: [t], with: { path: out/t.parquet } }
              - { id: audience, type: activate.audience_file, inputs: [t], with: { path: "out/aud/{segment}.csv", segment_column: s } }
              - { id: feed, type: activate.customer_feed, inputs: [t], with: { path: out/feed.json, format: json } }
              - { id: feed_csv, type: activate.customer_feed, inputs: [t], with: { path: out/feed.csv } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        foreach (var file in new[] { "out/t.csv", "out/t.parquet", "out/aud/x.csv", "out/feed.json", "out/feed.csv" })
            Assert.True(File.GetUnixFileMode(Path.Combine(h.Temp.Path, file)) == OwnerOnly, $"{file}: {File.GetUnixFileMode(Path.Combine(h.Temp.Path, file))}");
    }

    [Theory]
    [InlineData("export.csv", "644", "")]
    [InlineData("export.parquet", "640", "")]
    [InlineData("activate.customer_feed", "664", ", format: json")]
    public async Task FileMode_WidensTheFileExactlyWhateverTheUmask(string type, string mode, string more)
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes: Windows files take their folder's ACL.");
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);

        var result = await h.RunAsync($$"""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 'a@x.com' AS email, 1 AS customer_id, 1 AS rank, TRUE AS marketing_consent" } }
              - { id: w, type: {{type}}, inputs: [t], with: { path: out/w, file_mode: "{{mode}}"{{more}} } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        Assert.Equal((UnixFileMode)Convert.ToInt32(mode, 8), File.GetUnixFileMode(Path.Combine(h.Temp.Path, "out/w")));
    }
}
