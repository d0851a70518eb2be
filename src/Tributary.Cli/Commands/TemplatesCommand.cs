using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Components.Samples;
using Tributary.Core.Components;
using Tributary.Core.Diagnostics;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Engine.Orchestration;

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
                TemplateLibrary.Names.Select(n => new object?[] { n, TemplateLibrary.Describe(n) }), prose: ["description"]);
            return Task.FromResult(ExitCodes.Success);
        }));

        var name = new Argument<string>("name") { Description = "Template to add." };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing pipeline file." };
        var add = new Command("add", "Copy a template into the project's pipelines folder.") { name, force };
        add.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            return await AddAsync(cli, project, parse.GetValue(name)!, parse.GetValue(force), ct);
        }));
        command.Subcommands.Add(add);
        return command;
    }

    /// <summary>Adds a template unless its pipeline file exists: the same text is reused, a changed one is kept and said so.</summary>
    public static async Task AddUnlessChangedAsync(CliContext cli, ProjectSession project, string name, CancellationToken cancellationToken)
    {
        var target = Target(project, name);
        if (!File.Exists(target))
        {
            await AddAsync(cli, project, name, force: false, cancellationToken, hint: false);
            return;
        }
        if (File.ReadAllText(target) == Text(name))
            cli.Error.WriteLine($"reusing {project.Relative(target)}");
        else
            cli.Error.WriteLine($"kept your changed {project.Relative(target)} (not overwritten); to go back to the template: trib templates add {name} --force");
    }

    /// <summary>
    /// Copies a template into pipelines/ with its schedule and sensors paused; <paramref name="hint"/> false leaves out the next steps.
    /// </summary>
    public static async Task<int> AddAsync(CliContext cli, ProjectSession project, string name, bool force, CancellationToken cancellationToken, bool hint = true)
    {
        var text = Text(name);
        var target = Target(project, name);
        if (File.Exists(target) && !force) throw new CliException($"{project.Relative(target)} already exists; pass --force to overwrite it.");
        Directory.CreateDirectory(project.Settings.PipelinesDirectory);
        File.WriteAllText(target, text);
        cli.Error.WriteLine(hint ? $"added {project.Relative(target)}; next: trib validate, then trib run {name}" : $"added {project.Relative(target)}");
        WriteSampleData(cli, project, name);
        foreach (var line in SharedTables(project, target)) cli.Error.WriteLine(line);
        // Said now rather than by the first run's failure: what the template reads from the environment that is not set here.
        foreach (var need in EnvironmentNeeds.Of(project, target)) cli.Error.WriteLine($"needs {need.Variable}: {need.Where}");
        await PauseAsync(cli, project, target, cancellationToken);
        return ExitCodes.Success;
    }

    /// <summary>
    /// Pauses the added pipeline's schedule and sensors (Dagster's new schedules start stopped too): a running trib serve would
    /// otherwise start runs of a pipeline the user has not yet checked, on data it may not yet have.
    /// </summary>
    private static async Task PauseAsync(CliContext cli, ProjectSession project, string file, CancellationToken cancellationToken)
    {
        var loaded = new PipelineLoader(project.Catalog).LoadFile(file, Unresolved with { NamedAfterFile = true, Timezone = project.Settings.Timezone });
        if (!loaded.Succeeded || !SchedulePause.HasTriggers(loaded.Pipeline!)) return;
        var p = loaded.Pipeline!;
        var store = await project.StoreAsync(cancellationToken);
        await SchedulePause.SetAsync(store, p.Name, p, paused: true, cli.Time.GetUtcNow(), cancellationToken);
        cli.Error.WriteLine($"{p.Name}'s {SchedulesCommand.Describe(p)}: paused, so trib serve starts no run of it on its own; "
            + $"to turn it on: trib schedules resume {p.Name} (or tick On for it under Pipelines on the Schedules & sensors page of trib serve's web UI)");
    }

    // Templates whose input files no other command writes (trib demo-data writes data/demo/, trib quickstart reuses it):
    // their sample files, in the project folder, so that the template runs as added.
    private static readonly Dictionary<string, (string[] Files, Action<string> Write)> SampleData = new(StringComparer.Ordinal)
    {
        ["quickstart"] = ([Path.Combine("data", "orders.csv"), Path.Combine("data", "customers.csv")], root => QuickstartStore.Write(Path.Combine(root, "data"))),
    };

    /// <summary>Writes a template's sample files when none of them exists; a user's own files are never replaced.</summary>
    private static void WriteSampleData(CliContext cli, ProjectSession project, string name)
    {
        if (!SampleData.TryGetValue(name, out var sample)) return;
        var files = sample.Files.Select(f => Path.Combine(project.Settings.Directory, f)).ToList();
        if (files.Any(File.Exists)) return;
        sample.Write(project.Settings.Directory);
        cli.Error.WriteLine($"wrote a sample shop to {string.Join(" and ", sample.Files)} for {name} (replace them with your own exports, same columns)");
    }

    // Environment references are not resolved: which tables a file writes does not depend on them.
    private static readonly LoadOptions Unresolved = new() { Environment = _ => "set" };

    /// <summary>
    /// A warning per other pipeline of the project that writes tables the added file also writes, defined differently (the
    /// TRIB0209 of trib validate, one line per pipeline rather than per table): whichever runs last replaces the other's.
    /// </summary>
    private static IEnumerable<string> SharedTables(ProjectSession project, string added)
    {
        var loader = new PipelineLoader(project.Catalog);
        var others = project.PipelineFiles().Where(f => !string.Equals(Path.GetFullPath(f), Path.GetFullPath(added), StringComparison.Ordinal))
            .Select(f => loader.LoadFile(f, Unresolved)).Where(r => r.Succeeded).Select(r => r.Pipeline!).ToList();
        var mine = loader.LoadFile(added, Unresolved);
        if (!mine.Succeeded || others.Count == 0) yield break;
        // Checked last, the added file carries every warning about a table it shares.
        var warned = ProjectDefinitions.Compare([.. others, mine.Pipeline!])
            .Where(w => w.Code == DiagnosticCodes.SharedAssetDefinedTwice && string.Equals(w.Location.File, mine.Pipeline!.File, StringComparison.Ordinal))
            .Select(w => mine.Pipeline!.Components.First(c => c.Location == w.Location))
            .ToList();
        foreach (var other in others)
        {
            var tables = warned.Where(c => other.Components.Any(o => o.Id == c.Id && o.Definition != c.Definition)).Select(c => c.Id).ToList();
            if (tables.Count == 0) continue;
            var whole = other.Name == "full_cdp" || mine.Pipeline!.Name == "full_cdp"
                ? " full_cdp is the whole platform in one pipeline: use it, or the single templates, not both."
                : " Give one of them other ids, or remove one.";
            yield return $"warning {DiagnosticCodes.SharedAssetDefinedTwice}: {project.Relative(added)} writes {tables.Count} table(s) that pipeline '{other.Name}' " +
                $"({project.Relative(other.File)}) also writes, defined differently: {string.Join(", ", tables)} (and the tables built from them). Whichever runs last replaces the other's results, " +
                $"and the other's dashboard then shows them.{whole} trib validate shows each one.";
        }
    }

    private static string Target(ProjectSession project, string name) => Path.Combine(project.Settings.PipelinesDirectory, name + ".yaml");

    private static string Text(string name) => TemplateLibrary.Read(name)
        ?? throw new CliException($"no template '{name}'.{NameSuggestion.Format(name, TemplateLibrary.Names)} Templates: {string.Join(", ", TemplateLibrary.Names)}.");
}
