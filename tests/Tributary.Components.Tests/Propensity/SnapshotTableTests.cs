using Tributary.Components.Features;
using Tributary.Components.Propensity;
using Tributary.Testing;

namespace Tributary.Components.Tests.Propensity;

/// <summary>What the propensity and uplift models and the reasons read of a <c>features.customer_snapshot</c> day.</summary>
public sealed class SnapshotTableTests(PostgresCluster postgres)
{
    // A one-time buyer 120 days ago who never visited and has no ticket: no inter-purchase time, recency ratio, discount
    // share, days since a visit or open ticket's age (NULL in the snapshot); one order in the 90 days before the last 90
    // and none since, a real orders trend of -1.
    private static readonly Dictionary<string, string> OneTimeBuyer = new()
    {
        ["tenure_days"] = "120", ["orders"] = "1", ["frequency"] = "0", ["recency_days"] = "120", ["days_to_last_order"] = "0", ["revenue"] = "50",
        ["average_order_value"] = "50", ["orders_prior_90d"] = "1", ["orders_trend"] = "-1", ["revenue_prior_90d"] = "50",
        ["mean_interpurchase_days"] = "NULL", ["recency_ratio"] = "NULL", ["discount_share"] = "NULL", ["days_since_last_session"] = "NULL",
        ["oldest_open_ticket_days"] = "NULL",
    };

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task ReadAsync_NullInTheSnapshot_IsNaNForTheModels_WhileARealMinusOneStays(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        var ct = TestContext.Current.CancellationToken;
        var values = CustomerSnapshot.Columns.Skip(2).Select(c => $"CAST({OneTimeBuyer.GetValueOrDefault(c.Name, "0")} AS DOUBLE PRECISION) AS {c.Name}");
        await h.Warehouse.ExecuteAsync($"CREATE TABLE snapshot AS SELECT 'c1' AS customer_id, DATE '2024-06-01' AS as_of, {string.Join(", ", values)}", null, ct);

        var table = await SnapshotTable.ReadAsync(h.Warehouse, "snapshot", new DateOnly(2024, 6, 1), ct);

        var row = Assert.Single(table.Rows);
        Assert.Equal(SnapshotTable.Features.Length, row.Length);
        Assert.All(OneTimeBuyer.Where(f => f.Value == "NULL").Select(f => f.Key), f => Assert.True(float.IsNaN(row[SnapshotTable.IndexOf(f)]), $"{f} = {row[SnapshotTable.IndexOf(f)]}, not missing"));
        Assert.Equal(-1f, row[SnapshotTable.IndexOf("orders_trend")]);
        Assert.Equal(0f, row[SnapshotTable.IndexOf("sessions_trend")]);
    }

    [Fact]
    public void Value_ReadsMissingAsNaN_AndEveryRealValueAsItIs()
    {
        var row = SnapshotRows.Row([(object?)"c1", .. SnapshotTable.Features.Select(f => OneTimeBuyer.GetValueOrDefault(f, "0") is var v && v == "NULL" ? null : (object)double.Parse(v, System.Globalization.CultureInfo.InvariantCulture))],
            SnapshotTable.Features.Length);
        row[SnapshotTable.IndexOf("revenue_90d")] = -1; // missing is NaN, never a value of -1, whatever the feature

        Assert.True(double.IsNaN(SnapshotTable.Value(row, "mean_interpurchase_days")));
        Assert.Equal(-1, SnapshotTable.Value(row, "orders_trend"));
        Assert.Equal(-1, SnapshotTable.Value(row, "revenue_90d"));
        Assert.Null(SnapshotTable.OrNull(row[SnapshotTable.IndexOf("discount_share")]));
        Assert.Equal(50, SnapshotTable.OrNull(row[SnapshotTable.IndexOf("average_order_value")]));
        // The reasons tell the one-time buyer's story from the missing gap: a first order, not "usually every ?".
        Assert.Equal("first order 120 days ago", PropensityReasons.Sentence("recent_order", f => SnapshotTable.Value(row, f)));
    }
}
