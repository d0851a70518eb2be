using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Components.Samples.DemoStore;
using Tributary.Core.Projects;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib quickstart [DIR]</c>: the README's first command. Creates a project, writes a demo store's exports,
/// adds the customer_ltv template, runs it on the embedded warehouse, and shows tiers, segments and next steps.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create(CliContext cli)
    {
        var dir = new Argument<string>("dir") { Description = "Folder for the new project.", DefaultValueFactory = _ => "tributary-quickstart" };
        var customers = new Option<int>("--customers") { Description = "Customers in the demo store. Default 2,000.", DefaultValueFactory = _ => 2000 };
        var command = new Command("quickstart", "Create a demo project, run the customer_ltv template on it and show the results.") { dir, customers };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            // Safe to run again: what exists is reused, a changed pipeline is kept, and the exports are written only once
            // (new exports would be new files to the sources, which append them: every raw table would double).
            var folder = Path.GetFullPath(parse.GetValue(dir)!);
            if (File.Exists(Path.Combine(folder, ProjectSettings.FileName))) cli.Error.WriteLine($"reusing the project in {folder}");
            else InitCommand.Init(cli, folder, hint: false);
            await using var project = ProjectSession.Open(folder, cli.Time);
            var demo = Path.Combine(folder, "data", "demo");
            if (Directory.Exists(demo) && Directory.EnumerateFileSystemEntries(demo).Any())
                cli.Error.WriteLine($"reusing the demo store in {project.Relative(demo)} (delete that folder to generate a new one)");
            else
            {
                var summary = DemoStoreGenerator.Write(demo, new DemoStoreOptions(parse.GetValue(customers)));
                cli.Error.WriteLine($"wrote a demo store to data/demo: {summary.Customers:N0} customers, {summary.Orders:N0} orders, {summary.Events:N0} events (ground truth in data/demo/ground_truth)");
            }
            await TemplatesCommand.AddUnlessChangedAsync(cli, project, "customer_ltv", ct);
            // While 'trib serve' owns the warehouse (an embedded DuckDB file has one owner), the run and the reads go through it.
            var server = ServerConnection.Find(project);
            var serving = server?.Address;
            var (status, runId) = server is not null
                ? await RunOnServerAsync(cli, server, ct)
                : await RunHereAsync(cli, project, ct);
            if (status != RunStatus.Succeeded) return ExitCodes.RunFailed;

            using var reader = await IWarehouseReader.OpenAsync(project, ct);
            async Task ShowAsync(string title, string sql)
            {
                cli.Out.WriteLine(title);
                var rows = await reader.QueryAsync(sql, 20, ct);
                DataWriter.Write(cli.Out, OutputFormat.Table, rows.Schema.Columns.Select(c => c.Name).ToList(), rows.Rows);
            }
            var horizon = project.LoadPipeline("customer_ltv", new Dictionary<string, string>()).Params.FirstOrDefault(p => p.Name == "horizon_days")?.Value;
            await ShowAsync($"Value tiers ({Horizon(horizon)} CLV in USD, and what you can afford to pay to acquire a customer like them):",
                "SELECT tier, customers, CAST(avg_clv AS NUMERIC(12, 2)) AS avg_clv, CAST(total_clv AS NUMERIC(14, 2)) AS total_clv, CAST(avg_max_cac AS NUMERIC(12, 2)) AS max_cac FROM value_tiers__summary ORDER BY tier_rank");
            await ShowAsync("RFM segments:",
                "SELECT segment, count(*) AS customers, CAST(avg(clv) AS NUMERIC(12, 2)) AS avg_clv, min(action) AS action FROM customer_value GROUP BY segment ORDER BY avg(clv) DESC");
            // The folder as typed: relative to where the user is, as the commands below are.
            var typed = parse.GetValue(dir)!;
            cli.Out.WriteLine();
            cli.Out.WriteLine($"Audience files (hashed for Meta Custom Audiences) are in {Path.Combine(folder, "out", "audiences")}; the CRM table is crm_customer_value.");
            cli.Out.WriteLine("Next (trib below is `dotnet run --project src/Tributary.Cli --` from the repository root, or a published trib on your PATH;");
            cli.Out.WriteLine($"add --project {(typed.Contains(' ', StringComparison.Ordinal) ? $"\"{typed}\"" : typed)} unless you run it from {folder}):");
            (string Command, string What)[] next =
            [
                ("trib show customer_ltv", "each customer's P(alive), expected purchases and CLV with its 90% prediction interval (clv_p05, clv_p95)"),
                ("trib show customer_ltv__model", "the fitted BG/NBD and Gamma-Gamma parameters"),
                ($"trib runs show {runId}", "steps, checks and log of this run"),
                ("trib templates", "more pipelines to start from (marketing_attribution, ...)"),
                ("trib schedules resume customer_ltv", "turn on its daily schedule (a template is added with its schedule paused)"),
                serving is null
                    ? ("trib serve", "schedules, the API and the web UI at http://127.0.0.1:8080")
                    : ("(trib serve runs)", $"this run, the dashboards and schedules in its web UI at {serving}"),
            ];
            var width = next.Max(n => n.Command.Length) + 3;
            foreach (var (command, what) in next) cli.Out.WriteLine($"  {command.PadRight(width)}{what}");
            return ExitCodes.Success;
        }));
        return command;
    }

    // The template's horizon_days as the header says it (the user may have changed it): 365 is "12-month".
    internal static string Horizon(string? days) => int.TryParse(days, System.Globalization.CultureInfo.InvariantCulture, out var d) switch
    {
        false => "lifetime",
        true when d % 365 == 0 => d == 365 ? "12-month" : $"{d / 365}-year",
        true when d % 30 == 0 => $"{d / 30}-month",
        _ => $"{d}-day",
    };

    private static async Task<(RunStatus, string)> RunOnServerAsync(CliContext cli, ServerConnection server, CancellationToken ct)
    {
        using (server) return await RunCommand.RunOnServerAsync(cli, server, "customer_ltv", null, null, [], ct, hint: false);
    }

    private static async Task<(RunStatus, string)> RunHereAsync(CliContext cli, ProjectSession project, CancellationToken ct)
    {
        var result = await RunCommand.RunAsync(cli, project, "customer_ltv", null, new Dictionary<string, string>(), RunProgress.TerminalAttached, ct, hint: false);
        return (result.Status, result.RunId);
    }
}
