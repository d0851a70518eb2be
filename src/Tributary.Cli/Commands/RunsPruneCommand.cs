using System.CommandLine;
using Tributary.Core.Projects;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib runs prune [--older-than D] [--dry-run]</c>: deletes run history and ticks older than tributary.yaml's
/// <c>retention:</c> (or <c>--older-than</c> for runs), as the daemon of 'trib serve' does hourly, and says what it deleted.
/// </summary>
internal static class RunsPruneCommand
{
    public static Command Create(CliContext cli)
    {
        var olderThan = new Option<string?>("--older-than")
        {
            Description = "Delete ended runs older than this (90d, 12h), instead of retention.runs in tributary.yaml (default 90d). Ticks follow retention.ticks and retention.skipped_ticks.",
        };
        var dryRun = new Option<bool>("--dry-run") { Description = "Count what would be deleted; delete nothing." };
        var command = new Command("prune", "Delete old runs (with their events, materializations and checks), ticks and finished queue entries, by tributary.yaml's retention. "
            + "Runs still running or queued, each asset's latest materialization, each pipeline's and partition's latest run and sensor cursors are kept.") { olderThan, dryRun };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var retention = project.Settings.Retention;
            if (parse.GetValue(olderThan) is { } given)
            {
                var span = ProjectSettings.ParseRetention(given, out var error);
                if (error is not null) throw new CliException($"--older-than {error}");
                retention = retention with { Runs = span };
            }
            var store = await project.StoreAsync(ct);
            var now = cli.Time.GetUtcNow();
            var dry = parse.GetValue(dryRun);
            var result = await store.PruneAsync(RetentionCutoffs.At(retention, now), dry, ct);
            cli.Out.WriteLine(result.Describe(dry));
            if (dry) return ExitCodes.Success;
            var reclaimed = await store.ReclaimSpaceAsync(rewrite: true, ct);
            // A diagnostic, on stderr: stdout keeps the one line of counts that scripts read.
            if (reclaimed > 0)
                cli.Error.WriteLine(reclaimed >= 1048576 ? $"the run store's file shrank by {reclaimed / 1048576.0:0.0} MB" : $"the run store's file shrank by {reclaimed / 1024} KB");
            return ExitCodes.Success;
        }));
        return command;
    }
}
