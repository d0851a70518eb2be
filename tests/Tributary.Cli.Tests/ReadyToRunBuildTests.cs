using System.Reflection.PortableExecutable;
using Tributary.Testing;

namespace Tributary.Cli.Tests;

/// <summary>
/// A Release build of trib precompiles (ReadyToRun) its own assembly, its project references' and its packages' into its
/// output folder (Directory.Build.targets), so that the bench scripts and Release runs start without JIT-compiling them
/// first; a Debug build stays IL (no Crossgen2 minutes before a first `dotnet run`).
/// </summary>
public sealed class ReadyToRunBuildTests
{
    [Fact]
    public void BuildingTrib_InRelease_PrecompilesItsOwnItsProjectReferencesAndItsPackagesAssemblies()
    {
        // The tests' folder is tests/Tributary.Cli.Tests/bin/CONFIGURATION/TFM/; trib's is src/Tributary.Cli/bin/CONFIGURATION/TFM/.
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var output = Path.Combine(RepositoryFiles.Root, "src", "Tributary.Cli", "bin", tests.Parent!.Name, tests.Name);
        string[] assemblies =
        [
            "trib.dll", "Tributary.Core.dll", "Tributary.Warehouse.dll", "Tributary.Engine.dll", "Tributary.Components.dll",
            "Tributary.Analytics.dll", "Tributary.Server.dll", "Tributary.Cluster.dll", "YamlDotNet.dll", "DuckDB.NET.Data.dll",
        ];
        var release = tests.Parent!.Name == "Release";
        var unexpected = assemblies.Where(a => IsReadyToRun(Path.Combine(output, a)) != release).ToList();
        Assert.True(unexpected.Count == 0, $"{(release ? "IL only" : "precompiled in a Debug build")} in {output}: {string.Join(", ", unexpected)}");
        // The trib.dll the process tests start is the one built for this configuration.
        Assert.Equal(release, IsReadyToRun(Path.Combine(AppContext.BaseDirectory, "trib.dll")));
    }

    /// <summary>A ReadyToRun image carries a managed native header in its CLI header (ECMA-335 II.25.3.3, the R2R format).</summary>
    private static bool IsReadyToRun(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader is { } cor && cor.ManagedNativeHeaderDirectory.Size > 0;
    }
}
