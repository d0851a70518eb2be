using Tributary.Cli.Projects;
using Tributary.Testing;

namespace Tributary.Cli.Tests.Projects;

/// <summary>tributary.yaml's <c>warehouse.memory_limit</c> bounds the project's DuckDB warehouse.</summary>
public sealed class WarehouseMemoryLimitTests : IDisposable
{
    private readonly TempDirectory _temp = new();
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _temp.Dispose();

    private async Task<string> ProjectAsync(string warehouseLines)
    {
        var directory = Path.Combine(_temp.Path, "project");
        Assert.Equal(0, (await Trib.RunAsync("init", directory)).ExitCode);
        var settings = Path.Combine(directory, "tributary.yaml");
        File.WriteAllText(settings, File.ReadAllText(settings).Replace("warehouse:\n", "warehouse:\n" + warehouseLines, StringComparison.Ordinal));
        return directory;
    }

    [Theory]
    [InlineData("  memory_limit: 512MB\n", "488.2 MiB")]
    [InlineData("  memory_limit: 3GiB\n", "3.0 GiB")]
    [InlineData("", "858.3 MiB")] // the default, 900MB
    public async Task Warehouse_MemoryLimitInTributaryYaml_IsDuckDbsSetting(string line, string expected)
    {
        var directory = await ProjectAsync(line);
        await using var project = ProjectSession.Open(directory, TimeProvider.System);

        var warehouse = await project.WarehouseAsync(Ct);

        Assert.Equal(expected, await warehouse.ScalarAsync("SELECT current_setting('memory_limit')", null, Ct));
    }

    [Fact]
    public async Task Run_BadMemoryLimit_FailsNamingTheFileLineAndKey()
    {
        var directory = await ProjectAsync("  memory_limit: plenty\n");

        var outcome = await Trib.RunAsync("validate", "--project", directory);

        Assert.NotEqual(0, outcome.ExitCode);
        // Diagnostics name files relative to the working directory (DiagnosticPrinter); a clone under /tmp must pass too.
        Assert.Contains($"{Path.GetRelativePath(Environment.CurrentDirectory, Path.Combine(directory, "tributary.yaml"))}:3:", outcome.Error, StringComparison.Ordinal);
        Assert.Contains("'warehouse.memory_limit' in tributary.yaml must be a size with a unit, such as 1GB, 512MB or 4GiB; got 'plenty'.", outcome.Error, StringComparison.Ordinal);
    }
}
