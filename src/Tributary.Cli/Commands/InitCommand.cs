using System.CommandLine;
using Tributary.Core.Projects;

namespace Tributary.Cli.Commands;

/// <summary><c>trib init [DIR]</c>: creates a project folder with settings and an empty pipelines folder.</summary>
internal static class InitCommand
{
    public static Command Create(CliContext cli)
    {
        var dir = new Argument<string>("dir") { Description = "Folder to create the project in.", DefaultValueFactory = _ => "." };
        var command = new Command("init", "Create a Tributary project: tributary.yaml, pipelines/, data/.") { dir };
        command.SetAction((parse, _) => cli.RunAsync(() => Task.FromResult(Init(cli, parse.GetValue(dir)!))));
        return command;
    }

    /// <summary>Creates the project; <paramref name="hint"/> false leaves out the next steps (for a caller that takes them itself).</summary>
    public static int Init(CliContext cli, string dir, bool hint = true)
    {
        var full = Path.GetFullPath(dir);
        var settings = Path.Combine(full, ProjectSettings.FileName);
        if (File.Exists(settings)) throw new CliException($"{settings} already exists; this folder is a project already.");
        Directory.CreateDirectory(Path.Combine(full, "pipelines"));
        Directory.CreateDirectory(Path.Combine(full, "data"));
        File.WriteAllText(settings, ProjectSettings.DefaultFileText);
        var ignore = Path.Combine(full, ".gitignore");
        if (!File.Exists(ignore)) File.WriteAllText(ignore, ".tributary/\nout/\n");
        cli.Error.WriteLine($"created project in {full}");
        if (!hint) return ExitCodes.Success;
        cli.Error.WriteLine("next: trib templates            (list templates)");
        cli.Error.WriteLine("      trib templates add NAME   (copy one into pipelines/)");
        return ExitCodes.Success;
    }
}
