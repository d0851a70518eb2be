using System.Globalization;
using System.Text;
using Tributary.Engine.Runs;
using Tributary.Testing;

namespace Tributary.Components.Tests.Fraud;

public sealed class IsolationForestScoringTests(PostgresCluster postgres)
{
    private const string Pipeline = """
        pipeline: fraud
        components:
          - { id: tx, type: source.csv, with: { path: tx.csv, columns: { transaction_id: VARCHAR, card: BIGINT, amount: DOUBLE, count_1h: BIGINT, hour: DOUBLE } } }
          - { id: anomalies, type: analytics.isolation_forest, inputs: [tx], with: { id_columns: [transaction_id, card], features: [amount, count_1h, hour]{{extra}} } }
        """;

    // 600 ordinary transactions and three planted ones: a huge amount, a burst of 40 in an hour, both at once.
    private static void WriteTransactions(string folder)
    {
        var random = new Random(3);
        var csv = new StringBuilder("transaction_id,card,amount,count_1h,hour\n");
        for (var i = 0; i < 600; i++)
        {
            // Every 50th row lacks its amount: it is scored with the median amount.
            var amount = i % 50 == 7 ? "" : (40 + 10 * Gaussian(random)).ToString("0.00", CultureInfo.InvariantCulture);
            csv.Append(CultureInfo.InvariantCulture, $"t{i:0000},{i % 37},{amount},{random.Next(1, 4)},{(10 + 3 * Gaussian(random)).ToString("0.0", CultureInfo.InvariantCulture)}\n");
        }
        csv.Append("x_amount,1,2500.00,2,11.0\nx_burst,2,41.00,40,10.0\nx_both,3,1900.00,35,3.0\n");
        File.WriteAllText(Path.Combine(folder, "tx.csv"), csv.ToString());
    }

    // A production database sorts text by en_US or ICU rules ('a_3' < 'a-1' < 'A2' < 'B'), DuckDB by bytes: the forest's
    // subsamples follow the rows' order by id, so the scores match only if PostgreSQL reads them in DuckDB's order.
    [Fact]
    public async Task Run_OnAPostgresDatabaseSortingByEnUs_ScoresEachTransactionAsDuckDbDoes()
    {
        async Task<Dictionary<string, double>> ScoresAsync(ComponentHarness h)
        {
            var random = new Random(5);
            var csv = new StringBuilder("transaction_id,card,amount,count_1h,hour\n");
            string[] shapes = ["a-{0}", "A{0}", "a_{0}", "B{0}", "b.{0}", "Ä{0}"];
            for (var i = 0; i < 300; i++)
                csv.Append(CultureInfo.InvariantCulture, $"{string.Format(CultureInfo.InvariantCulture, shapes[i % shapes.Length], i)},{i % 11},{(40 + 10 * Gaussian(random)).ToString("0.00", CultureInfo.InvariantCulture)},{random.Next(1, 4)},{(10 + 3 * Gaussian(random)).ToString("0.0", CultureInfo.InvariantCulture)}\n");
            File.WriteAllText(Path.Combine(h.Temp.Path, "tx.csv"), csv.ToString());
            var result = await h.RunAsync(Pipeline.Replace("{{extra}}", ", trees: 20, sample_size: 64", StringComparison.Ordinal));
            Assert.True(result.Status == RunStatus.Succeeded, result.Error);
            return (await h.RowsAsync("SELECT transaction_id, anomaly_score FROM anomalies")).ToDictionary(r => (string)r[0]!, r => Convert.ToDouble(r[1], CultureInfo.InvariantCulture));
        }
        await using var duck = await ComponentHarness.CreateAsync("duckdb", postgres);
        await using var pg = await ComponentHarness.CreateOnCollatedPostgresAsync(postgres, "en-US");
        var collated = await pg.RowsAsync("SELECT x FROM (VALUES ('B'), ('a_3'), ('A2'), ('a-1')) AS v(x) ORDER BY x");
        Assert.Equal(["a_3", "a-1", "A2", "B"], collated.Select(r => (string)r[0]!));

        var onDuckDb = await ScoresAsync(duck);
        var onPostgres = await ScoresAsync(pg);

        Assert.Equal(300, onDuckDb.Count);
        Assert.All(onDuckDb, s => Assert.Equal(s.Value, onPostgres[s.Key], 12));
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Run_PlantedAnomalies_RankFirstWithTheFeatureThatIsolatesThem(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteTransactions(h.Temp.Path);

        var result = await h.RunAsync(Pipeline.Replace("{{extra}}", "", StringComparison.Ordinal));

        Assert.True(result.Status == RunStatus.Succeeded, result.Error);
        var rows = (await h.RowsAsync("SELECT transaction_id, card, anomaly_score, anomaly_rank, top_feature FROM anomalies ORDER BY anomaly_rank"))
            .Select(r => (Id: (string)r[0]!, Card: Convert.ToInt64(r[1], CultureInfo.InvariantCulture), Score: Convert.ToDouble(r[2], CultureInfo.InvariantCulture),
                Rank: Convert.ToInt64(r[3], CultureInfo.InvariantCulture), Top: (string)r[4]!)).ToList();
        Assert.Equal(603, rows.Count);
        Assert.Equal(Enumerable.Range(1, 603).Select(i => (long)i), rows.Select(r => r.Rank));
        Assert.Equal(["x_amount", "x_both", "x_burst"], rows.Take(3).Select(r => r.Id).Order());
        Assert.Equal(2, rows.Single(r => r.Id == "x_burst").Card);
        Assert.Equal("amount", rows.Single(r => r.Id == "x_amount").Top);
        Assert.Equal("count_1h", rows.Single(r => r.Id == "x_burst").Top);
        Assert.All(rows, r => Assert.InRange(r.Score, double.Epsilon, 1.0));
        Assert.True(rows.Skip(3).Average(r => r.Score) < 0.5);
        // A row without its amount is kept and scored as an ordinary one.
        Assert.InRange(rows.Single(r => r.Id == "t0007").Score, 0.3, 0.6);

        var importance = (await h.RowsAsync("SELECT feature, importance, top_feature_rows, median FROM anomalies__importance ORDER BY feature"))
            .Select(r => (Feature: (string)r[0]!, Share: Convert.ToDouble(r[1], CultureInfo.InvariantCulture), Top: Convert.ToInt64(r[2], CultureInfo.InvariantCulture),
                Median: Convert.ToDouble(r[3], CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(["amount", "count_1h", "hour"], importance.Select(i => i.Feature));
        Assert.Equal(1.0, importance.Sum(i => i.Share), 9);
        Assert.Equal(603, importance.Sum(i => i.Top));
        Assert.InRange(importance[0].Median, 35, 45);
        Assert.Equal(2, importance[1].Median);
    }

    [Theory]
    [ClassData(typeof(TheoryDataOfEngines))]
    public async Task Run_SameSeedTwice_WritesTheSameScores(string engine)
    {
        await using var h = await ComponentHarness.CreateAsync(engine, postgres);
        WriteTransactions(h.Temp.Path);
        var yaml = Pipeline.Replace("{{extra}}", ", method: isolation_forest, trees: 50, sample_size: 128, seed: 9", StringComparison.Ordinal);

        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        var first = await h.RowsAsync("SELECT transaction_id, anomaly_score, top_feature FROM anomalies ORDER BY transaction_id");
        Assert.Equal(RunStatus.Succeeded, (await h.RunAsync(yaml)).Status);
        var second = await h.RowsAsync("SELECT transaction_id, anomaly_score, top_feature FROM anomalies ORDER BY transaction_id");

        Assert.Equal(603, first.Count);
        Assert.Equal(first.Select(r => (r[0], r[1], r[2])), second.Select(r => (r[0], r[1], r[2])));
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
