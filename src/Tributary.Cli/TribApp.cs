using System.CommandLine;
using Tributary.Cli.Commands;

namespace Tributary.Cli;

/// <summary>The <c>trib</c> command tree; Program and the CLI tests both enter here.</summary>
public static class TribApp
{
    /// <summary>Parses and runs one command line; returns the exit code (0 ok, 1 user error, 2 run failed).</summary>
    public static Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, TimeProvider time, CancellationToken cancellationToken = default)
    {
        var cli = new CliContext(output, error, time);
        var root = new RootCommand("trib: Tributary, the open-source customer data platform. Pipelines from YAML templates on DuckDB or PostgreSQL.")
        {
            QuickstartCommand.Create(cli),
            InitCommand.Create(cli),
            DemoDataCommand.Create(cli),
            TemplatesCommand.Create(cli),
            ComponentsCommand.CreateList(cli),
            ComponentsCommand.CreateSchema(cli),
            ValidateCommand.Create(cli),
            ListCommand.Create(cli),
            RunCommand.Create(cli),
            BackfillCommand.Create(cli),
            ServeCommand.Create(cli),
            WorkerCommand.Create(cli),
            SourcesCommand.Create(cli),
            RunsCommand.Create(cli),
            SchedulesCommand.Create(cli),
            ShowCommand.CreateShow(cli),
            ShowCommand.CreateQuery(cli),
            AudiencesCommand.Create(cli),
        };
        root.Options.Add(cli.Project);
        // Ctrl+C and SIGTERM cancel the command's token; 'trib serve' then gets time to stop its runs cleanly.
        return root.Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error, ProcessTerminationTimeout = TimeSpan.FromSeconds(60) }, cancellationToken);
    }
}
