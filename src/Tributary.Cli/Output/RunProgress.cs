using System.Globalization;
using System.Threading.Channels;
using Spectre.Console;
using Tributary.Engine.Runs;

namespace Tributary.Cli.Output;

/// <summary>
/// Shows a run as it happens: a live step table on a terminal, plain timestamped lines otherwise. <paramref name="said"/> are
/// run-wide log lines already printed before the run (the load's warnings), which plain lines do not repeat.
/// </summary>
internal sealed class RunProgress(TextWriter error, bool live, IReadOnlyList<string>? said = null)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Status, string Detail)> _steps = new(StringComparer.Ordinal);

    public bool IsLive => live;

    public static bool TerminalAttached => !Console.IsErrorRedirected && AnsiConsole.Profile.Capabilities.Interactive;

    /// <summary>Shows each event of <paramref name="events"/> until it completes.</summary>
    public async Task FollowAsync(ChannelReader<RunEvent> events)
    {
        await foreach (var e in events.ReadAllAsync()) Observe(e);
    }

    public void Observe(RunEvent e)
    {
        lock (_gate)
        {
            if (e.Asset is { } asset)
            {
                var status = e.Kind switch
                {
                    RunEventKind.StepStarted => "running",
                    RunEventKind.StepSucceeded => "succeeded",
                    RunEventKind.StepFailed => "failed",
                    RunEventKind.StepSkipped => "skipped",
                    RunEventKind.StepRetry => "retrying",
                    RunEventKind.StepRunAlone => "waiting to run alone",
                    _ => _steps.GetValueOrDefault(asset).Status ?? "pending",
                };
                // Logs and passing checks keep the step's detail (rows and time); a failed check or a warning replaces it.
                var keep = e.Kind == RunEventKind.Log || (e.Kind == RunEventKind.Check && !e.Message.Contains("FAILED", StringComparison.Ordinal)
                    && !e.Message.StartsWith("warning:", StringComparison.Ordinal));
                _steps[asset] = (status, keep ? _steps.GetValueOrDefault(asset).Detail ?? "" : e.Message);
            }
            if (!live && !(e.Kind == RunEventKind.Log && e.Asset is null && said is not null && said.Contains(e.Message, StringComparer.Ordinal)))
                error.WriteLine($"{e.At.ToLocalTime().ToString("HH:mm:ss", CultureInfo.InvariantCulture)} {Named(e)}");
        }
    }

    // Plain lines have no step column: a step's message that does not start with the step's name gets it.
    private static string Named(RunEvent e) =>
        e.Asset is not { } asset || e.Message.StartsWith($"{asset}:", StringComparison.Ordinal) || e.Message.StartsWith($"{asset} (", StringComparison.Ordinal)
            ? e.Message : $"{asset}: {e.Message}";

    public Table Render()
    {
        var table = new Table().Border(TableBorder.Rounded).AddColumn("step").AddColumn("status").AddColumn("detail");
        lock (_gate)
            foreach (var (asset, (status, detail)) in _steps)
            {
                var color = status switch { "succeeded" => "green", "failed" => "red", "running" or "retrying" => "yellow", _ => "grey" };
                table.AddRow(Markup.Escape(asset), $"[{color}]{status}[/]", Markup.Escape(detail));
            }
        return table;
    }
}
