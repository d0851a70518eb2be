using System.Globalization;
using Tributary.Bench;

// Usage (from the repository root):
//   dotnet run -c Release --project bench/Tributary.Bench -- engine-overhead [rows=10000000] [repeat=5]
//   dotnet run -c Release --project bench/Tributary.Bench -- clv-cdnow [folder=../shared/data/cdnow]
//   dotnet run -c Release --project bench/Tributary.Bench -- clv-fit [customers=200000,500000]
//   dotnet run -c Release --project bench/Tributary.Bench -- clv-store [customers=1000000] [model=bgnbd]
//   dotnet run -c Release --project bench/Tributary.Bench -- identity [links=10000000]
//   dotnet run -c Release --project bench/Tributary.Bench -- demo-data [customers=100000]
//   dotnet run -c Release --project bench/Tributary.Bench -- attribution [paths=1000000]
//   dotnet run -c Release --project bench/Tributary.Bench -- attribution-step <database> <touches.csv>
//   dotnet run -c Release --project bench/Tributary.Bench -- peers-data <folder> [paths=1000000] [links=2000000] [customers=200000]
//   dotnet run -c Release --project bench/Tributary.Bench -- peers-run attribution|identity|ltv <data folder> <output folder> [prepared.duckdb]
//   dotnet run -c Release --project bench/Tributary.Bench -- peers-export attribution|identity|ltv <data folder> <output folder> [prepared.duckdb]   (after peers-run: its results as CSV)
//   dotnet run -c Release --project bench/Tributary.Bench -- peers-prepare attribution|identity|ltv <data folder> <prepared.duckdb>
//   dotnet run -c Release --project bench/Tributary.Bench -- funnel-run [events=50000000] [output folder=funnel-out] [events csv for the peer]
//   dotnet run -c Release --project bench/Tributary.Bench -- experiment [events=5000000] [units=500000] [output folder=experiment-out]
//   dotnet run -c Release --project bench/Tributary.Bench -- propensity [customers=1000000] [output folder=propensity-out]
//   dotnet run -c Release --project bench/Tributary.Bench -- classifier [rows=100000] [features=35] [trees=150]
//   dotnet run -c Release --project bench/Tributary.Bench -- churn [customers=1000000] [output folder=churn-out]
//   dotnet run -c Release --project bench/Tributary.Bench -- segment-parse <events.ndjson> [repeat=3]
//   dotnet run -c Release --project bench/Tributary.Bench -- segment-append <events.ndjson> autocommit|transaction|csv|tablefunc[-nojson] [database]
//   dotnet run -c Release --project bench/Tributary.Bench -- segment-native <events.ndjson> [database]
//   dotnet run -c Release --project bench/Tributary.Bench -- duckdb-sql <script.sql> [database]
//   dotnet run -c Release --project bench/Tributary.Bench -- fraud-data <transactions.csv> [rows=1000000]
//   dotnet run -c Release --project bench/Tributary.Bench -- fraud-run <transactions.csv> [output folder=fraud-out]
var what = args.Length > 0 ? args[0] : "engine-overhead";
string Arg(int i, string fallback) => args.Length > i ? args[i] : fallback;
switch (what)
{
    case "engine-overhead":
        await EngineOverhead.RunAsync(long.Parse(Arg(1, "10000000"), CultureInfo.InvariantCulture), int.Parse(Arg(2, "5"), CultureInfo.InvariantCulture));
        return 0;
    case "clv-cdnow":
        ClvBench.Cdnow(Arg(1, Path.Combine("..", "shared", "data", "cdnow")));
        return 0;
    case "clv-fit":
        ClvBench.Fits(Arg(1, "200000,500000").Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToList());
        return 0;
    case "clv-store":
        await ClvBench.StoreAsync(int.Parse(Arg(1, "1000000"), CultureInfo.InvariantCulture), Arg(2, "bgnbd"));
        return 0;
    case "identity":
        IdentityBench.Run(int.Parse(Arg(1, "10000000"), CultureInfo.InvariantCulture));
        return 0;
    case "attribution":
        await AttributionBench.RunAsync(int.Parse(Arg(1, "1000000"), CultureInfo.InvariantCulture));
        return 0;
    case "attribution-step":
        await AttributionBench.StepAsync(Arg(1, "attribution.duckdb"), Arg(2, "touches.csv"));
        return 0;
    case "peers-data":
        await PeersBench.WriteDataAsync(Arg(1, "peers-data"), int.Parse(Arg(2, "1000000"), CultureInfo.InvariantCulture), int.Parse(Arg(3, "2000000"), CultureInfo.InvariantCulture),
            int.Parse(Arg(4, "200000"), CultureInfo.InvariantCulture));
        return 0;
    case "peers-run":
        await PeersBench.RunAsync(Arg(1, "ltv"), Arg(2, "peers-data"), Arg(3, "peers-out"), args.Length > 4 ? args[4] : null);
        return 0;
    case "peers-export":
        await PeersBench.ExportAsync(Arg(1, "ltv"), Arg(3, "peers-out"), args.Length > 4 ? args[4] : null);
        return 0;
    case "peers-prepare":
        await PeersBench.PrepareAsync(Arg(1, "attribution"), Arg(2, "peers-data"), Arg(3, "peers.duckdb"));
        return 0;
    case "funnel-run":
        await FunnelBench.RunAsync(long.Parse(Arg(1, "50000000"), CultureInfo.InvariantCulture), Arg(2, "funnel-out"), args.Length > 3 ? args[3] : null);
        return 0;
    case "experiment":
        await ExperimentBench.RunAsync(long.Parse(Arg(1, "5000000"), CultureInfo.InvariantCulture), long.Parse(Arg(2, "500000"), CultureInfo.InvariantCulture), Arg(3, "experiment-out"));
        return 0;
    case "propensity":
        await PropensityBench.RunAsync(int.Parse(Arg(1, "1000000"), CultureInfo.InvariantCulture), Arg(2, "propensity-out"));
        return 0;
    case "classifier":
        ClassifierBench.Run(int.Parse(Arg(1, "100000"), CultureInfo.InvariantCulture), int.Parse(Arg(2, "35"), CultureInfo.InvariantCulture), int.Parse(Arg(3, "150"), CultureInfo.InvariantCulture));
        return 0;
    case "churn":
        await ChurnBench.RunAsync(int.Parse(Arg(1, "1000000"), CultureInfo.InvariantCulture), Arg(2, "churn-out"));
        return 0;
    case "segment-parse":
        SegmentParseBench.Run(Arg(1, "events.ndjson"), int.Parse(Arg(2, "3"), CultureInfo.InvariantCulture));
        return 0;
    case "segment-native":
        SegmentNativeBench.Run(Arg(1, "events.ndjson"), Arg(2, Path.Combine(Path.GetTempPath(), "trib-segment-native.duckdb")));
        return 0;
    case "segment-append":
        SegmentAppendBench.Run(Arg(1, "events.ndjson"), Arg(2, "autocommit"), Arg(3, Path.Combine(Path.GetTempPath(), "trib-segment-append.duckdb")));
        return 0;
    case "duckdb-sql":
        SegmentAppendBench.Script(Arg(1, "script.sql"), Arg(2, Path.Combine(Path.GetTempPath(), "trib-duckdb-sql.duckdb")));
        return 0;
    case "fraud-data":
        FraudBench.WriteData(Arg(1, "transactions.csv"), int.Parse(Arg(2, "1000000"), CultureInfo.InvariantCulture));
        return 0;
    case "fraud-run":
        await FraudBench.RunAsync(Arg(1, "transactions.csv"), Arg(2, "fraud-out"));
        return 0;
    case "recs-data":
        RecsBench.WriteData(Arg(1, "recs.csv"), int.Parse(Arg(2, "100000"), CultureInfo.InvariantCulture), int.Parse(Arg(3, "10000"), CultureInfo.InvariantCulture),
            int.Parse(Arg(4, "1000000"), CultureInfo.InvariantCulture), 7);
        return 0;
    case "recs-als":
        RecsBench.Als(Arg(1, "recs.csv"), int.Parse(Arg(2, "64"), CultureInfo.InvariantCulture), int.Parse(Arg(3, "5"), CultureInfo.InvariantCulture));
        return 0;
    case "demo-data":
        var folder = Path.Combine(Path.GetTempPath(), "trib-bench-demo-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            var s = Tributary.Components.Samples.DemoStore.DemoStoreGenerator.Write(folder,
                new Tributary.Components.Samples.DemoStore.DemoStoreOptions(int.Parse(Arg(1, "100000"), CultureInfo.InvariantCulture)));
            Console.WriteLine($"demo-data: {s.Customers:N0} customers, {s.Orders:N0} orders, {s.Events:N0} events in {s.Elapsed.TotalSeconds:0.0}s = {s.Events / s.Elapsed.TotalMinutes:N0} events/min");
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    default:
        Console.Error.WriteLine($"unknown benchmark '{what}'. Benchmarks: engine-overhead, clv-cdnow, clv-store, identity, demo-data, attribution, peers-data, peers-run, peers-export, funnel-run, experiment, propensity, classifier, churn, clv-fit, peers-prepare, segment-parse, segment-append, segment-native, duckdb-sql, recs-data, recs-als, fraud-data, fraud-run");
        return 1;
}
