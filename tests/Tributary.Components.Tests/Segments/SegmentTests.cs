using System.Globalization;
using Tributary.Components.Segments;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Segments;

public sealed class SegmentTests(PostgresCluster postgres)
{
    [Fact]
    public void RfmRules_CoverEveryScorePairExactlyOnceInPrecedence()
    {
        for (var r = 1; r <= 5; r++)
            for (var f = 1; f <= 5; f++)
                Assert.Single(RfmSegmentation.Rules, rule => rule.R.Contains(r) && rule.F.Contains(f));
        Assert.Equal(11, RfmSegmentation.Rules.Select(x => x.Segment).Distinct().Count());
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Rfm_HandMadeCustomers_GetTheExpectedScoresAndSegments(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        // Ten customers: c1..c5 bought recently, c6..c10 long ago; even-numbered customers bought often and big.
        var lines = new List<string> { "customer_id,ordered_at,amount" };
        for (var c = 1; c <= 10; c++)
        {
            var last = new DateOnly(2024, 6, 30).AddDays(-(c <= 5 ? c : 200 + c));
            var orders = c % 2 == 0 ? 6 : 1;
            for (var o = 0; o < orders; o++) lines.Add($"c{c},{last.AddDays(-7 * o):yyyy-MM-dd},{(c % 2 == 0 ? 100 : 10)}");
        }
        File.WriteAllLines(Path.Combine(h.Temp.Path, "orders.csv"), lines);

        var result = await h.RunAsync("""
            pipeline: p
            components:
              - { id: orders, type: source.csv, with: { path: orders.csv, columns: { customer_id: VARCHAR, ordered_at: DATE, amount: DOUBLE } } }
              - { id: rfm, type: segment.rfm, inputs: [orders], with: { as_of: 2024-06-30 } }
            """);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT customer_id, recency_days, frequency, r_score, f_score, segment FROM rfm"))
            .ToDictionary(r => (string)r[0]!, r => (Recency: Convert.ToInt64(r[1], CultureInfo.InvariantCulture), F: Convert.ToInt64(r[2], CultureInfo.InvariantCulture),
                R: Convert.ToInt32(r[3], CultureInfo.InvariantCulture), FScore: Convert.ToInt32(r[4], CultureInfo.InvariantCulture), Segment: (string)r[5]!));
        Assert.Equal((1L, 1L), (rows["c1"].Recency, rows["c1"].F));
        Assert.Equal(6, rows["c2"].F);
        // One-time buyers tie and share the lowest frequency score; the frequent half scores 3.
        Assert.All(new[] { "c1", "c3", "c5", "c7", "c9" }, c => Assert.Equal(1, rows[c].FScore));
        Assert.All(new[] { "c2", "c4", "c6", "c8", "c10" }, c => Assert.Equal(3, rows[c].FScore));
        Assert.Equal((5, "New"), (rows["c1"].R, rows["c1"].Segment));
        Assert.Equal((5, "Potential Loyalist"), (rows["c2"].R, rows["c2"].Segment));
        Assert.Equal((1, "Lost"), (rows["c9"].R, rows["c9"].Segment));
        Assert.Equal((1, "At Risk"), (rows["c10"].R, rows["c10"].Segment));
    }

    [Fact]
    public async Task CdnowExample_TiersFollowTheCutoffsAndSegmentsAreAllNamed()
    {
        var folder = RepositoryFiles.RequireSharedData("cdnow");
        await using var h = await ComponentHarness.CreateAsync("duckdb", postgres);

        var result = await h.RunFileAsync(Path.Combine(RepositoryFiles.Templates, "examples", "cdnow_ltv.yaml"),
            new Dictionary<string, string> { ["cdnow_file"] = Path.Combine(folder, "CDNOW_sample.txt") }, allowedPaths: [folder]);

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var tiers = (await h.RowsAsync("SELECT tier, customers, min_clv, avg_max_cac, avg_clv FROM cdnow_tiers__summary ORDER BY tier_rank"))
            .Select(r => (Tier: (string)r[0]!, Customers: Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Min: Convert.ToDouble(r[2], CultureInfo.InvariantCulture),
                Cac: Convert.ToDouble(r[3], CultureInfo.InvariantCulture), Avg: Convert.ToDouble(r[4], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(["platinum", "gold", "silver", "bronze"], tiers.Select(t => t.Tier));
        Assert.Equal(2357, tiers.Sum(t => t.Customers));
        Assert.InRange(tiers[0].Customers, 20, 30);            // top 1% of 2,357
        Assert.InRange(tiers[1].Customers, 200, 260);          // next 9%
        Assert.True(tiers[0].Min > tiers[1].Min && tiers[1].Min > tiers[2].Min);
        Assert.All(tiers, t => Assert.Equal(t.Avg * 0.3 / 3, t.Cac, 1e-9));
        var segments = await h.RowsAsync("SELECT segment, count(*) FROM cdnow_rfm GROUP BY segment");
        Assert.Equal(2357, segments.Sum(s => Convert.ToInt64(s[1], CultureInfo.InvariantCulture)));
        Assert.DoesNotContain(segments, s => s[0] is null);
    }
}
