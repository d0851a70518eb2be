using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Exports;

public sealed class FileExportTests(PostgresCluster postgres)
{
    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task CsvExport_WritesHeaderAndRowsAndReportsThePath(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: t, type: transform.sql, with: { sql: "SELECT 1 AS id, 'a,b' AS name UNION ALL SELECT 2, 'c'" } }
              - { id: t_file, type: export.csv, inputs: [t], with: { path: out/nested/t.csv } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var lines = File.ReadAllLines(Path.Combine(h.Temp.Path, "out/nested/t.csv"));
        Assert.Equal("id,name", lines[0]);
        Assert.Equal(["1,\"a,b\"", "2,c"], lines.Skip(1).Order());
        Assert.Empty(Directory.GetFiles(Path.Combine(h.Temp.Path, "out/nested"), "*.tmp-*"));
        var m = (await h.Store.GetMaterializationsAsync(result.RunId, "t_file", TestContext.Current.CancellationToken)).Single();
        Assert.Equal(2, m.RowCount);
    }
}
