using Tributary.Core.Components;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Tests.Runs;

/// <summary>The asset list groups tables under the steps that declared them and hides internal outputs unless asked.</summary>
public sealed class AssetListTests
{
    private static MaterializationRecord Recorded(string table, string step, string output, OutputRole role) =>
        new("r1", table, DateTimeOffset.UnixEpoch, 1, [], TimeSpan.Zero, "{}") { Step = step, Output = output, Role = role };

    private static readonly MaterializationRecord[] Latest =
    [
        Recorded("orders", "orders", "main", OutputRole.Main),
        Recorded("orders__rejected", "orders", "rejected", OutputRole.Rejected),
        Recorded("orders__files", "orders", "files", OutputRole.Internal),
        Recorded("ltv__model", "ltv", "model", OutputRole.Model),
        Recorded("ltv", "ltv", "main", OutputRole.Main),
        // Written before outputs were declared: its own step's main table.
        new("r0", "legacy", DateTimeOffset.UnixEpoch, 1, [], TimeSpan.Zero, "{}"),
    ];

    private static readonly string[] Tables = ["orders__files", "adhoc", "orders__rejected", "ltv__model", "legacy", "orders", "ltv"];

    [Fact]
    public void Of_ByDefault_GroupsByStepMainFirstAndHidesInternal()
    {
        var entries = AssetList.Of(Tables, Latest, includeInternal: false);

        Assert.Equal(["legacy", "ltv", "ltv__model", "orders", "orders__rejected", "adhoc"], entries.Select(e => e.Table));
        Assert.Equal(["legacy", "ltv", "ltv", "orders", "orders", null], entries.Select(e => e.Step));
        Assert.Equal([OutputRole.Main, OutputRole.Main, OutputRole.Model, OutputRole.Main, OutputRole.Rejected, null], entries.Select(e => e.Role));
    }

    [Fact]
    public void Of_IncludeInternal_ListsTheFilesLedgerUnderItsStep()
    {
        var entries = AssetList.Of(Tables, Latest, includeInternal: true);

        Assert.Equal(["legacy", "ltv", "ltv__model", "orders", "orders__files", "orders__rejected", "adhoc"], entries.Select(e => e.Table));
        Assert.Equal(("orders", "files", OutputRole.Internal), entries.Where(e => e.Table == "orders__files").Select(e => (e.Step, e.Output, e.Role)).Single());
    }
}
