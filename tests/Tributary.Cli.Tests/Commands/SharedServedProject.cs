using Tributary.Testing;

namespace Tributary.Cli.Tests.Commands;

/// <summary>
/// One 'trib serve' for the <see cref="ServeTests"/> that only read: a project with a plain pipeline (hello), a broken one and a
/// partitioned one (regions), none run and none changed. Started on first use, so that a test that needs none pays nothing; a
/// test that runs, pauses or writes, or needs other settings or environment, starts its own server.
/// </summary>
public sealed class SharedServedProject : IDisposable
{
    private readonly TempDirectory _temp = new();
    private readonly TribProcesses _trib = new();
    private readonly Lazy<Task<Uri>> _address;

    public SharedServedProject() => _address = new(StartAsync);

    /// <summary>The project's folder.</summary>
    public string Project => Path.Combine(_temp.Path, "shared");

    /// <summary>Where its 'trib serve' listens, started by the first caller.</summary>
    public Task<Uri> AddressAsync() => _address.Value;

    private async Task<Uri> StartAsync()
    {
        var init = await Trib.RunAsync("init", Project);
        Assert.True(init.ExitCode == 0, init.Error);
        File.WriteAllText(Path.Combine(Project, "pipelines", "hello.yaml"), ServeTests.Hello);
        File.WriteAllText(Path.Combine(Project, "pipelines", "broken.yaml"), "pipeline: broken\ncomponents:\n  - { id: a, type: no.such.type }\n");
        File.WriteAllText(Path.Combine(Project, "pipelines", "regions.yaml"), """
            pipeline: regions
            partitions: { type: static, keys: [north, east, south, west, central] }
            components:
              - { id: raw, type: transform.sql, with: { sql: "SELECT '${partition.key}' AS region" } }
              - { id: summary, type: transform.sql, inputs: [raw], with: { sql: "SELECT count(*) AS n FROM raw" } }
            """);
        // Not the first test's token: the server outlives it.
        var (_, address) = await _trib.ServeAsync(Project, CancellationToken.None);
        return address;
    }

    public void Dispose()
    {
        _trib.Dispose();
        _temp.Dispose();
    }
}
