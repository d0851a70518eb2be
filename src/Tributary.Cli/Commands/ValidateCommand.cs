using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Components.Activation;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Warehouse.DuckDb;

namespace Tributary.Cli.Commands;

/// <summary><c>trib validate [FILES] [--param k=v]</c>: every problem in every file, compiler-style; exit 1 on any.</summary>
internal static class ValidateCommand
{
    public static Command Create(CliContext cli)
    {
        var files = new Argument<string[]>("files") { Description = "Pipeline files or names; every pipeline of the project when absent.", Arity = ArgumentArity.ZeroOrMore };
        var param = new Option<string[]>("--param")
        {
            Description = "A template param's value, as trib run takes it: name=value. Repeatable; each file checked must declare it.", AllowMultipleArgumentsPerToken = false,
        };
        var command = new Command("validate", "Check pipeline files and report every problem with file:line:col.") { files, param };
        command.SetAction((parse, _) => cli.RunAsync(() =>
        {
            var given = parse.GetValue(files) ?? [];
            var parameters = RunCommand.ParseParams(parse.GetValue(param) ?? []);
            // Named files are checked anywhere; the project's own pipelines need a project.
            var project = cli.Open(parse, settingsRequired: given.Length == 0);
            var paths = given.Length > 0 ? given.Select(project.ResolvePipelineFile).ToList() : project.PipelineFiles();
            if (paths.Count == 0) throw new CliException($"no pipeline files in {project.Relative(project.Settings.PipelinesDirectory)}. Add one with 'trib templates add NAME'.");
            var loader = new PipelineLoader(project.Catalog);
            // SQL steps are checked in an in-memory DuckDB, whose SQL is the project's on the embedded default; PostgreSQL's
            // is another dialect, checked when its steps run.
            using var queries = project.Settings.PostgresEnv is null ? new DuckDbQueryDescriber() : null;
            var all = new List<Diagnostic>();
            var valid = new List<PipelineSpec>();
            var results = new List<LoadResult>();
            foreach (var path in paths)
            {
                var result = loader.LoadFile(path, new LoadOptions { ParamOverrides = parameters, NamedAfterFile = project.IsPipelineFile(path), Queries = queries, ReservedEnvironment = project.ReservedEnvironment, Paths = project.Settings.Paths, Timezone = project.Settings.Timezone });
                if (result.Succeeded) cli.Error.WriteLine($"ok  {project.Relative(path)} ({result.Pipeline!.Components.Count} components)");
                if (result.Succeeded) valid.Add(result.Pipeline!);
                results.Add(result);
                all.AddRange(result.Diagnostics);
            }
            // The files checked together are one project's: an asset id they define differently is one table they overwrite,
            // and a pipeline name they both declare is two pipelines under one name.
            Func<string, string> shown = f => Path.IsPathRooted(f) ? Path.GetRelativePath(Environment.CurrentDirectory, f) : f;
            all.AddRange(ProjectDefinitions.DuplicateNames(results, shown));
            all.AddRange(ProjectDefinitions.Compare(valid, shown));
            all.AddRange(AudienceFolders.Check(valid, project.Settings.Directory, shown));
            if (all.Count == 0) return Task.FromResult(ExitCodes.Success);
            DiagnosticPrinter.Print(cli.Error, all, Environment.CurrentDirectory);
            return Task.FromResult(all.Any(d => !d.IsWarning) ? ExitCodes.UserError : ExitCodes.Success);
        }));
        return command;
    }
}
