using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;

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
            var files = project.PipelineFiles();
            var results = files.Select(f => loader.LoadFile(f, new LoadOptions { NamedAfterFile = true, Timezone = project.Settings.Timezone })).ToList();
            var duplicates = ProjectDefinitions.DuplicateNames(results).ToLookup(d => d.Location.File, StringComparer.Ordinal);
            var rows = files.Select((f, i) =>
            {
                var r = results[i];
                var errors = r.Diagnostics.Count(d => !d.IsWarning) + duplicates[f].Count();
                return errors == 0 && r.Pipeline is { } p
                    ? new object?[] { p.Name, project.Relative(f), p.Components.Count, p.Schedule?.Cron ?? "", "valid" }
                    : [Path.GetFileNameWithoutExtension(f), project.Relative(f), null, "", $"{errors} error(s): trib validate"];
            }).ToList();
            DataWriter.Write(cli.Out, parse.GetValue(format), ["pipeline", "file", "components", "schedule", "status"], rows);
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
