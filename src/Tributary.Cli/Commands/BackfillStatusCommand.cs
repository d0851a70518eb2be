using System.CommandLine;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;

namespace Tributary.Cli.Commands;

/// <summary>
/// <c>trib backfill status ID [--follow]</c>: a backfill's partitions, each with its state and run, and its progress; with
/// <c>--follow</c>, a progress line each time a partition moves until the backfill ends. It reads the run store, so it
/// follows a backfill handed to 'trib serve' as well as one another 'trib backfill' runs.
/// </summary>
internal static class BackfillStatusCommand
{
    // How often --follow reads the run store again: a partition is a run, seconds at least.
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(500);

    public static Command Create(CliContext cli)
    {
        var id = new Argument<string>("backfill_id") { Description = "Backfill id, as 'trib backfill' printed it." };
        var follow = new Option<bool>("--follow", "-f") { Description = "Print a line each time a partition moves, until the backfill ends; then the partitions. Exit code 2 when one failed." };
        var format = CliContext.FormatOption();
        var command = new Command("status", "Show a backfill's partitions and progress; --follow watches it until it ends.") { id, follow, format };
        command.SetAction((parse, ct) => cli.RunAsync(async () =>
        {
            await using var project = cli.Open(parse);
            var store = await project.StoreAsync(ct);
            var backfillId = parse.GetValue(id)!;
            var (backfill, partitions) = await ReadAsync(store, backfillId, ct);
            var line = Progress(backfill, partitions);
            cli.Error.WriteLine(line);
            if (parse.GetValue(follow) && backfill.Status == BackfillStatus.Running)
            {
                if (ServerConnection.Find(project) is null)
                    cli.Error.WriteLine("no trib serve is running for this project: the backfill moves only while a 'trib backfill' runs it (Ctrl+C stops following, not the backfill)");
                while (backfill.Status == BackfillStatus.Running)
                {
                    await Task.Delay(PollInterval, cli.Time, ct);
                    (backfill, partitions) = await ReadAsync(store, backfillId, ct);
                    if (Progress(backfill, partitions) is var next && next != line) cli.Error.WriteLine(line = next);
                }
            }
            DataWriter.Write(cli.Out, parse.GetValue(format), ["partition", "status", "run_id"],
                partitions.Select(p => new object?[] { p.Key, p.Status.ToString().ToLowerInvariant(), p.RunId }));
            foreach (var p in partitions.Where(p => p.Status == PartitionRunStatus.Failed && p.RunId is not null))
                cli.Error.WriteLine($"{p.Key}: failed (trib runs show {p.RunId})");
            if (backfill.Status is BackfillStatus.Failed or BackfillStatus.Cancelled)
                cli.Error.WriteLine($"to run its failed and cancelled partitions again: trib backfill {backfill.Pipeline} --resume {backfill.BackfillId}");
            return parse.GetValue(follow) && backfill.Status != BackfillStatus.Succeeded ? ExitCodes.RunFailed : ExitCodes.Success;
        }));
        return command;
    }

    private static async Task<(BackfillRecord Backfill, IReadOnlyList<BackfillPartition> Partitions)> ReadAsync(IOrchestrationStore store, string id, CancellationToken cancellationToken)
    {
        var backfill = await store.GetBackfillAsync(id, cancellationToken)
            ?? throw new CliException($"no backfill '{id}' in this project; 'trib backfill' printed the id of each one it started (GET /api/backfills lists them).");
        return (backfill, await store.GetBackfillPartitionsAsync(id, cancellationToken));
    }

    /// <summary>One line: the backfill, its state and its partitions counted by state.</summary>
    internal static string Progress(BackfillRecord backfill, IReadOnlyList<BackfillPartition> partitions)
    {
        int Count(params PartitionRunStatus[] states) => partitions.Count(p => states.Contains(p.Status));
        var group = backfill.Group is null ? "" : $" group {backfill.Group}";
        return $"backfill {backfill.BackfillId} of {backfill.Pipeline}{group}: {backfill.Status.ToString().ToLowerInvariant()}, "
            + $"{Count(PartitionRunStatus.Succeeded)} of {partitions.Count} partition(s) succeeded, {Count(PartitionRunStatus.Queued, PartitionRunStatus.Running)} running, "
            + $"{Count(PartitionRunStatus.Pending)} pending, {Count(PartitionRunStatus.Failed)} failed, {Count(PartitionRunStatus.Cancelled)} cancelled";
    }
}
