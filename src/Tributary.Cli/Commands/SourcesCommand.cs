using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Server.Intake;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib sources add NAME</c> creates an event source and prints its write key once (only its hash is stored);
/// <c>trib sources list</c> lists the sources. Tracking libraries send events to <c>trib serve</c>'s <c>/v1/*</c> with the key.
/// </summary>
internal static class SourcesCommand
{
    public static Command Create(CliContext cli)
    {
        var format = CliContext.FormatOption();
        var command = new Command("sources", "List the event sources whose write keys trib serve's /v1 intake accepts.") { format };
        command.SetAction((parse, _) => cli.RunAsync(() =>
        {
            var project = cli.Open(parse);
            DataWriter.Write(cli.Out, parse.GetValue(format), ["source", "created_at"],
                SourceKeys.Load(File(project)).Sources.Select(s => new object?[] { s.Name, s.CreatedAt }));
            return Task.FromResult(ExitCodes.Success);
        }));

        var name = new Argument<string>("name") { Description = "Name of the source (letters, digits, '_', '-', '.')." };
        var add = new Command("add", "Create an event source and print its write key (shown only this once).") { name };
        add.SetAction((parse, _) => cli.RunAsync(() =>
        {
            var project = cli.Open(parse);
            string key;
            try
            {
                key = SourceKeys.Add(File(project), parse.GetValue(name)!, cli.Time.GetUtcNow());
            }
            catch (ArgumentException e)
            {
                throw new CliException(e.Message.Split(" (Parameter")[0]);
            }
            cli.Out.WriteLine(key);
            cli.Error.WriteLine($"added source '{parse.GetValue(name)}'; its write key above is shown only now (trib keeps its hash in {project.Relative(File(project))}). "
                + "Give it to a Segment library as the write key, with this server's address as its host.");
            return Task.FromResult(ExitCodes.Success);
        }));
        command.Subcommands.Add(add);
        return command;
    }

    private static string File(ProjectSession project) => Path.Combine(Path.GetDirectoryName(project.ServerFile)!, SourceKeys.FileName);
}
