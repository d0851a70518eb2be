using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Core.Loading;
using Tributary.Core.Pipelines;
using Tributary.Engine.Orchestration;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib schedules</c> lists each pipeline's schedule and sensors and whether they are on; <c>trib schedules pause|resume NAME</c>
/// turns them off or on, in the run store that <c>trib serve</c>'s daemon and its Schedules &amp; sensors page read.
/// </summary>
internal static class SchedulesCommand
{
    public static Command Create(CliContext cli)
    {
        var format = CliContext.FormatOption();
        var command = new Command("schedules", "List the pipelines' schedules and sensors and whether each is on (added templates start paused).") { format };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var store = await project.StoreAsync(ct);
            var rows = new List<object?[]>();
            foreach (var p in Loaded(project))
            {
                if (!SchedulePause.HasTriggers(p)) continue;
                var paused = await SchedulePause.IsPausedAsync(store, p.Name, ct);
                rows.Add([p.Name, Describe(p), paused ? "paused" : "on"]);
            }
            DataWriter.Write(cli.Out, parse.GetValue(format), ["pipeline", "triggers", "state"], rows);
            return ExitCodes.Success;
        }));
        command.Subcommands.Add(Toggle(cli, "pause", "Turn a pipeline's schedule and sensors off: trib serve starts no run of it until it is resumed.", paused: true));
        command.Subcommands.Add(Toggle(cli, "resume", "Turn a pipeline's schedule and sensors on; ticks missed while paused are not run.", paused: false));
        return command;
    }

    private static Command Toggle(CliContext cli, string verb, string description, bool paused)
    {
        var name = new Argument<string>("pipeline") { Description = "Pipeline name." };
        var command = new Command(verb, description) { name };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var pipeline = parse.GetValue(name)!;
            var spec = Loaded(project).FirstOrDefault(p => p.Name == pipeline)
                ?? throw new CliException($"no valid pipeline '{pipeline}' in {project.Relative(project.Settings.PipelinesDirectory)} (trib list shows them; trib validate shows what is wrong with one).");
            var store = await project.StoreAsync(ct);
            await SchedulePause.SetAsync(store, spec.Name, spec, paused, cli.Time.GetUtcNow(), ct);
            cli.Error.WriteLine(SchedulePause.HasTriggers(spec)
                ? $"{spec.Name}: {Describe(spec)} {(paused ? "paused" : "on")}"
                : $"{spec.Name} has no schedule or sensor; it is marked {(paused ? "paused" : "on")} for when it gets one");
            return ExitCodes.Success;
        }));
        return command;
    }

    // Environment references are not resolved: a schedule does not depend on them.
    private static IEnumerable<PipelineSpec> Loaded(ProjectSession project)
    {
        var loader = new PipelineLoader(project.Catalog);
        return project.PipelineFiles().Select(f => loader.LoadFile(f, new LoadOptions { NamedAfterFile = true, Environment = _ => "set", Timezone = project.Settings.Timezone }))
            .Where(r => r.Succeeded).Select(r => r.Pipeline!);
    }

    /// <summary>A pipeline's schedules and sensors in a line: <c>schedule 0 6 * * * UTC, sensor file_arrival in inbox</c>.</summary>
    internal static string Describe(PipelineSpec p)
    {
        var parts = new List<string>();
        if (p.Schedule is { } s) parts.Add($"schedule {s.Cron} {s.Timezone}");
        parts.AddRange(p.Sensors.Select(x => $"sensor {x.Describe()}"));
        foreach (var g in p.Groups)
        {
            if (g.Schedule is { } gs) parts.Add($"group {g.Name}'s schedule {gs.Cron} {gs.Timezone}");
            parts.AddRange(g.Sensors.Select(x => $"group {g.Name}'s sensor {x.Describe()}"));
        }
        return string.Join(", ", parts);
    }
}
