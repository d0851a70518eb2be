using System.Globalization;
using Tributary.Bench;

// Usage: dotnet run -c Release --project bench/Tributary.Bench -- engine-overhead [rows] [repeat]
var what = args.Length > 0 ? args[0] : "engine-overhead";
switch (what)
{
    case "engine-overhead":
        await EngineOverhead.RunAsync(
            args.Length > 1 ? long.Parse(args[1], CultureInfo.InvariantCulture) : 10_000_000,
            args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 5);
        return 0;
    default:
        Console.Error.WriteLine($"unknown benchmark '{what}'. Benchmarks: engine-overhead [rows] [repeat]");
        return 1;
}
