using Tributary.Core.Diagnostics;
using Tributary.Core.Pipelines;
using Tributary.Engine.Orchestration;
using Tributary.Testing;

namespace Tributary.Engine.Tests.Orchestration;

public sealed class SensorEvaluatorTests(PostgresCluster postgres)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static SensorSpec FileArrival(string path) =>
        new("file_arrival", new Dictionary<string, string> { ["path"] = path }, TimeSpan.FromSeconds(30), SourceLocation.StartOf("p.yaml"));

    [Fact]
    public async Task FileArrival_FolderOutsideTheProject_IsNotListedUnlessAllowed()
    {
        await using var h = await EngineHarness.CreateAsync("duckdb", postgres);
        using var outside = new TempDirectory();
        outside.File("secret.csv", "a\n");

        var refused = await new SensorEvaluator(h.Warehouse, h.Store, h.Temp.Path).EvaluateAsync(FileArrival(outside.Path), null, DateTimeOffset.UnixEpoch, Ct);
        var allowed = await new SensorEvaluator(h.Warehouse, h.Store, h.Temp.Path, [outside.Path]).EvaluateAsync(FileArrival(outside.Path), null, DateTimeOffset.UnixEpoch, Ct);

        Assert.False(refused.RequestRun);
        Assert.Equal($"path '{outside.Path}' resolves to '{outside.Path}', outside the project folder '{h.Temp.Path}'. "
            + "Use a path inside the project, or list its folder under allowed_paths: in tributary.yaml.", refused.Reason);
        Assert.Equal((true, "1 new file(s): secret.csv"), (allowed.RequestRun, allowed.Reason));
    }
}
