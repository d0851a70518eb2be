using System.Reflection.PortableExecutable;
using Tributary.Testing;

namespace Tributary.Cli.Tests;

/// <summary>
/// Building trib precompiles (ReadyToRun) its own assembly, its project references' and its packages' into its output
/// folder (Directory.Build.targets), so that `dotnet run` and the bench scripts start without JIT-compiling them first.
/// </summary>
public sealed class ReadyToRunBuildTests
{
    [Fact]
    public void BuildingTrib_PrecompilesItsOwnItsProjectReferencesAndItsPackagesAssemblies()
    {
        // The tests' folder is tests/Tributary.Cli.Tests/bin/CONFIGURATION/TFM/; trib's is src/Tributary.Cli/bin/CONFIGURATION/TFM/.
        var tests = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var output = Path.Combine(RepositoryFiles.Root, "src", "Tributary.Cli", "bin", tests.Parent!.Name, tests.Name);
        string[] assemblies =
        [
            "trib.dll", "Tributary.Core.dll", "Tributary.Warehouse.dll", "Tributary.Engine.dll", "Tributary.Components.dll",
            "Tributary.Analytics.dll", "Tributary.Server.dll", "Tributary.Cluster.dll", "YamlDotNet.dll", "DuckDB.NET.Data.dll",
        ];
        var notPrecompiled = assemblies.Where(a => !IsReadyToRun(Path.Combine(output, a))).ToList();
        Assert.True(notPrecompiled.Count == 0, $"IL only in {output}: {string.Join(", ", notPrecompiled)}");
        // The trib.dll the process tests start is the precompiled one.
        Assert.True(IsReadyToRun(Path.Combine(AppContext.BaseDirectory, "trib.dll")), "the trib.dll beside the tests is IL only");
    }

    /// <summary>A ReadyToRun image carries a managed native header in its CLI header (ECMA-335 II.25.3.3, the R2R format).</summary>
    private static bool IsReadyToRun(string path)
    {
        using var reader = new PEReader(File.OpenRead(path));
        return reader.PEHeaders.CorHeader is { } cor && cor.ManagedNativeHeaderDirectory.Size > 0;
    }
}
