using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Core.Components;

namespace Tributary.Cli.Commands;

/// <summary><c>trib templates</c> lists the shipped templates; <c>trib templates add NAME</c> copies one into the project.</summary>
internal static class TemplatesCommand
{
    public static Command Create(CliContext cli)
    {
        var format = CliContext.FormatOption();
        var command = new Command("templates", "List the use-case pipeline templates shipped with trib.") { format };
        command.SetAction((parse, _) => cli.RunAsync(() =>
        {
            DataWriter.Write(cli.Out, parse.GetValue(format), ["template", "description"],
                TemplateLibrary.Names.Select(n => new object?[] { n, TemplateLibrary.Describe(n) }));
            return Task.FromResult(ExitCodes.Success);
        }));

        var name = new Argument<string>("name") { Description = "Template to add." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing pipeline file." };
        var add = new Command("add", "Copy a template into the project's pipelines folder.") { name, force };
        add.SetAction((parse, _) => cli.RunAsync(() => Task.FromResult(Add(cli, cli.Open(parse), parse.GetValue(name)!, parse.GetValue(force)))));
        command.Subcommands.Add(add);
        return command;
    }

    /// <summary>Adds a template unless its pipeline file exists: the same text is reused, a changed one is kept and said so.</summary>
    public static void AddUnlessChanged(CliContext cli, ProjectSession project, string name)
    {
        var target = Target(project, name);
        if (!File.Exists(target))
        {
            Add(cli, project, name, force: false, hint: false);
            return;
        }
        if (File.ReadAllText(target) == Text(name))
            cli.Error.WriteLine($"reusing {project.Relative(target)}");
        else
            cli.Error.WriteLine($"kept your changed {project.Relative(target)} (not overwritten); to go back to the template: trib templates add {name} --force");
    }

    /// <summary>Copies a template into pipelines/; <paramref name="hint"/> false leaves out the next steps.</summary>
    public static int Add(CliContext cli, ProjectSession project, string name, bool force, bool hint = true)
    {
        var text = Text(name);
        var target = Target(project, name);
        if (File.Exists(target) && !force) throw new CliException($"{project.Relative(target)} already exists; pass --force to overwrite it.");
        Directory.CreateDirectory(project.Settings.PipelinesDirectory);
        File.WriteAllText(target, text);
        cli.Error.WriteLine(hint ? $"added {project.Relative(target)}; next: trib validate, then trib run {name}" : $"added {project.Relative(target)}");
        return ExitCodes.Success;
    }

    private static string Target(ProjectSession project, string name) => Path.Combine(project.Settings.PipelinesDirectory, name + ".yaml");

    private static string Text(string name) => TemplateLibrary.Read(name)
        ?? throw new CliException($"no template '{name}'.{NameSuggestion.Format(name, TemplateLibrary.Names)} Templates: {string.Join(", ", TemplateLibrary.Names)}.");
}
