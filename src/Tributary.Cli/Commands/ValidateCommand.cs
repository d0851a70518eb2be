using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;

namespace Tributary.Cli.Commands;

/// <summary><c>trib validate [FILES]</c>: every problem in every file, compiler-style; exit 1 on any.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext cli)
    {
        var files = new Argument<string[]>("files") { Description = "Pipeline files or names; every pipeline of the project when absent.", Arity = ArgumentArity.ZeroOrMore };
        var command = new Command("validate", "Check pipeline files and report every problem with file:line:col.") { files };
        command.SetAction((parse, _) => cli.RunAsync(() =>
        {
            var given = parse.GetValue(files) ?? [];
            // Named files are checked anywhere; the project's own pipelines need a project.
            var project = cli.Open(parse, settingsRequired: given.Length == 0);
            var paths = given.Length > 0 ? given.Select(project.ResolvePipelineFile).ToList() : project.PipelineFiles();
            if (paths.Count == 0) throw new CliException($"no pipeline files in {project.Relative(project.Settings.PipelinesDirectory)}. Add one with 'trib templates add NAME'.");
            var loader = new PipelineLoader(project.Catalog);
            var all = new List<Diagnostic>();
            foreach (var path in paths)
            {
                var result = loader.LoadFile(path);
                if (result.Succeeded) cli.Error.WriteLine($"ok  {project.Relative(path)} ({result.Pipeline!.Components.Count} components)");
                all.AddRange(result.Diagnostics);
            }
            if (all.Count == 0) return Task.FromResult(ExitCodes.Success);
            DiagnosticPrinter.Print(cli.Error, all, Environment.CurrentDirectory);
            return Task.FromResult(ExitCodes.UserError);
        }));
        return command;
    }
}
