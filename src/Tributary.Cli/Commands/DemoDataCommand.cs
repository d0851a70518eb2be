using System.CommandLine;
using System.Globalization;
using Tributary.Components.Samples.DemoStore;

namespace Tributary.Cli.Commands;

/// <summary><c>trib demo-data</c>: writes a realistic store's platform exports with ground truth, deterministically for a seed.</summary>
internal static class DemoDataCommand
{
    public static Command Create(CliContext cli)
    {
        var customers = new Option<int>("--customers") { Description = "People in the store (10 to 1,000,000). Default 2,000.", DefaultValueFactory = _ => 2000 };
        var days = new Option<int>("--days") { Description = "Days of history before the cutoff. Default 365.", DefaultValueFactory = _ => 365 };
        var seed = new Option<int>("--seed") { Description = "Random seed; the same seed writes the same files. Default 42.", DefaultValueFactory = _ => 42 };
        var output = new Option<string>("--out") { Description = "Folder to write into. Default data/demo.", DefaultValueFactory = _ => Path.Combine("data", "demo") };
        var clean = new Option<bool>("--clean") { Description = "No mess: canonical emails and phones, no duplicates, bots or shared devices." };
        var pure = new Option<bool>("--no-behaviour") { Description = "Pure BG/NBD store: no browsing, newsletter or support behaviour that warns of dropout." };
        var command = new Command("demo-data", "Write a demo store's Shopify, Segment, Google Ads, Meta Ads, HubSpot, Zendesk and Stripe exports with ground truth.")
            { customers, days, seed, output, clean, pure };
        command.SetAction((parse, _) => cli.RunAsync(() =>
        {
            var folder = Path.GetFullPath(parse.GetValue(output)!, Path.GetFullPath(parse.GetValue(cli.Project)!));
            var summary = DemoStoreGenerator.Write(folder, new DemoStoreOptions(parse.GetValue(customers), parse.GetValue(days), parse.GetValue(seed), Mess: !parse.GetValue(clean), Behaviour: !parse.GetValue(pure)));
            var rate = summary.Events / Math.Max(summary.Elapsed.TotalMinutes, 1e-9);
            cli.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"wrote {summary.Customers:N0} customers, {summary.Orders:N0} orders, {summary.Events:N0} events, {summary.Charges:N0} charges to {folder} in {summary.Elapsed.TotalSeconds:0.0}s ({rate:N0} events/min)"));
            cli.Error.WriteLine("ground truth is in ground_truth/: population.json, customers.csv, churn_rule.json, churn_behaviour.csv, identities.csv, channels.csv, experiments.csv, fraud_labels.csv, product_groups.csv");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
