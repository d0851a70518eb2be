using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Components.Samples;
using Tributary.Core.Projects;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib quickstart [DIR]</c>: the README's first command. Creates a project with sample shop data, adds the
/// quickstart template, runs it on the embedded warehouse, shows results and the next commands.
/// </summary>
internal static class QuickstartCommand
{
    public static Command Create(CliContext cli)
    {
        var dir = new Argument<string>("dir") { Description = "Folder for the new project.", DefaultValueFactory = _ => "tributary-quickstart" };
        var command = new Command("quickstart", "Create a sample project, run a template pipeline on it and show the results.") { dir };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            var folder = Path.GetFullPath(parse.GetValue(dir)!);
            if (!File.Exists(Path.Combine(folder, ProjectSettings.FileName))) InitCommand.Init(cli, folder);
            await using var project = ProjectSession.Open(folder, cli.Time);
            QuickstartStore.Write(Path.Combine(folder, "data"));
            cli.Error.WriteLine("wrote sample data: data/customers.csv, data/orders.csv");
            TemplatesCommand.Add(cli, project, "quickstart", force: true);
            var result = await RunCommand.RunAsync(cli, project, "quickstart", null, new Dictionary<string, string>(), RunProgress.TerminalAttached, ct);
            if (result.Status != RunStatus.Succeeded) return ExitCodes.RunFailed;

            var warehouse = await project.WarehouseAsync(ct);
            cli.Out.WriteLine("Revenue by country:");
            var byCountry = await warehouse.QueryAsync("SELECT * FROM revenue_by_country", null, 20, ct);
            DataWriter.Write(cli.Out, OutputFormat.Table, byCountry.Schema.Columns.Select(c => c.Name).ToList(), byCountry.Rows);
            cli.Out.WriteLine("Top 5 customers (all in out/top_customers.csv):");
            var top = await warehouse.QueryAsync("SELECT customer_id, email, country, orders, CAST(revenue AS NUMERIC(14, 2)) AS revenue FROM top_customers LIMIT 5", null, 5, ct);
            DataWriter.Write(cli.Out, OutputFormat.Table, top.Schema.Columns.Select(c => c.Name).ToList(), top.Rows);
            cli.Out.WriteLine($"""

                Next, from {folder}:
                  trib show customer_value           preview an asset
                  trib runs show {result.RunId}   steps, checks and log of this run
                  trib query "SELECT ..."            SQL on the warehouse
                  trib templates                     more pipelines to start from
                """);
            return ExitCodes.Success;
        }));
        return command;
    }
}
