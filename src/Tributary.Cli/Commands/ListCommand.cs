using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Core.Loading;

namespace Tributary.Cli.Commands;

/// <summary><c>trib list</c>: the project's pipelines.</summary>
internal static class ListCommand
{
    public static Command Create(CliContext cli)
    {
        var format = CliContext.FormatOption();
        var command = new Command("list", "List the project's pipelines.") { format };
        command.SetAction((parse, _) => cli.RunAsync(() =>
        {
            var project = cli.Open(parse);
            var loader = new PipelineLoader(project.Catalog);
            var rows = project.PipelineFiles().Select(f =>
            {
                var r = loader.LoadFile(f);
                return r.Succeeded
                    ? new object?[] { r.Pipeline!.Name, project.Relative(f), r.Pipeline.Components.Count, r.Pipeline.Schedule?.Cron ?? "", "valid" }
                    : [Path.GetFileNameWithoutExtension(f), project.Relative(f), null, "", $"{r.Diagnostics.Count} error(s): trib validate"];
            }).ToList();
            DataWriter.Write(cli.Out, parse.GetValue(format), ["pipeline", "file", "components", "schedule", "status"], rows);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
