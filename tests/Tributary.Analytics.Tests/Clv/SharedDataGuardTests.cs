using Tributary.Testing;

namespace Tributary.Analytics.Tests.Clv;

/// <summary>Published-number tests read the shared data; in CI its absence must fail them, not skip them.</summary>
public sealed class SharedDataGuardTests
{
    [Fact]
    public void MissingDataSet_FailsWhenRequired()
    {
        if (Environment.GetEnvironmentVariable("TRIB_REQUIRE_SHARED_DATA") != "1")
            Assert.Skip("Checks the CI setting: run with TRIB_REQUIRE_SHARED_DATA=1 (as .ci/run does).");

        var error = Assert.Throws<InvalidOperationException>(() => RepositoryFiles.RequireSharedData("no-such-data-set"));

        Assert.Contains("../shared/data/no-such-data-set/", error.Message, StringComparison.Ordinal);
    }
}
