using System.CommandLine;
using Tributary.Cli;
using Tributary.Cli.Commands;

var cli = new CliContext(Console.Out, Console.Error, TimeProvider.System);
var root = new RootCommand("trib: Tributary, the open-source customer data platform. Pipelines from YAML templates on DuckDB or PostgreSQL.")
{
    QuickstartCommand.Create(cli),
    InitCommand.Create(cli),
    TemplatesCommand.Create(cli),
    ComponentsCommand.CreateList(cli),
    ComponentsCommand.CreateSchema(cli),
    ValidateCommand.Create(cli),
    ListCommand.Create(cli),
    RunCommand.Create(cli),
    RunsCommand.Create(cli),
    ShowCommand.CreateShow(cli),
    ShowCommand.CreateQuery(cli),
};
root.Options.Add(cli.Project);
return await root.Parse(args).InvokeAsync();
