using System.Net.Http.Json;
using Microsoft.Extensions.Logging;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// Posts a Slack-compatible message (<c>{"text": ...}</c>) to the webhook a pipeline's <c>on_failure</c> names through an
/// environment variable. A missing variable, a value that is not an absolute http(s) URL or a failing webhook is logged
/// and counted (<see cref="Failed"/>), never thrown: an alert must not fail a run, nor stop the daemon closing its queue entry.
/// </summary>
public sealed class FailureAlerts(IHttpClientFactory http, Func<string, string?> environment, ILogger<FailureAlerts> log)
{
    private long _failed;

    /// <summary>How many alerts this process could not deliver since it started (no URL, a bad URL, no answer, a refusal).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>The name of the HTTP client alerts are posted with; the host sets its timeout.</summary>
    public const string HttpClientName = "alerts";

    /// <summary>How long a post to the webhook may take: 10 seconds, so a slow webhook does not hold a run's end.</summary>
    public static TimeSpan Timeout { get; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The alert text of a run that failed, or of one that could not start (<paramref name="result"/> null; named by
    /// <paramref name="fallbackId"/>): the step whose error is the run's (the first to fail), then the other failed steps.
    /// </summary>
    public static string RunFailed(string pipeline, string? partition, RunResult? result, string fallbackId)
    {
        var failed = result?.Steps.Where(s => s.Status == StepStatus.Failed).ToList() ?? [];
        // The run's error is the step that failed first in time; steps are listed in the pipeline's order, which may differ.
        var step = failed.FirstOrDefault(s => s.Error == result!.Error);
        var others = failed.Where(s => s != step).Select(s => $"'{s.Asset}'").ToList();
        return $"Tributary: run {result?.RunId ?? fallbackId} of '{pipeline}'{(partition is null ? "" : $" [{partition}]")} failed" +
            (step is null ? "" : $" at step '{step.Asset}' ({step.ComponentType})") + $": {result?.Error ?? "it could not start"}" +
            (others.Count == 0 ? "" : $"; {others.Count} other step{(others.Count == 1 ? "" : "s")} failed too: {string.Join(", ", others)}");
    }

    /// <summary>
    /// The alert text of a run that its process left unfinished (killed, crashed, or cut off from the run store), sent
    /// by the process that closes it: <paramref name="cause"/> says why, <paramref name="steps"/> which were running.
    /// </summary>
    public static string RunInterrupted(RunRecord run, IReadOnlyList<StepRecord> steps, string cause)
    {
        var running = steps.Where(s => s.Status == StepStatus.Failed && s.Error == RunFailures.ProcessDiedStep).Select(s => $"'{s.Asset}'").ToList();
        return $"Tributary: run {run.RunId} of '{run.Pipeline}'{(run.Partition is null ? "" : $" [{run.Partition}]")} failed: {cause}" +
            (running.Count == 0 ? "" : $" (running: {string.Join(", ", running)})") + "; tables kept their previous version";
    }

    /// <summary>The cause <see cref="RunInterrupted"/> names for a run whose process is gone.</summary>
    public const string ProcessStopped = "the process running it stopped: killed or crashed";

    /// <summary>Sends <paramref name="text"/> when <paramref name="pipeline"/> has an <c>on_failure</c> webhook.</summary>
    public async Task SendAsync(PipelineSpec pipeline, string text, CancellationToken cancellationToken)
    {
        log.Alert(text);
        if (pipeline.OnFailure is not { } alert) return;
        if (environment(alert.WebhookUrlEnv) is not { Length: > 0 } url)
        {
            log.AlertUrlMissing(alert.WebhookUrlEnv);
            Interlocked.Increment(ref _failed);
            return;
        }
        // Checked here too: the variable may have changed since the file was validated.
        if (!AlertSpec.IsWebhookUrl(url))
        {
            log.AlertUrlInvalid(alert.WebhookUrlEnv);
            Interlocked.Increment(ref _failed);
            return;
        }
        try
        {
            using var client = http.CreateClient(HttpClientName);
            using var response = await client.PostAsJsonAsync(url, new { text }, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode) return;
            log.AlertRefused((int)response.StatusCode);
            Interlocked.Increment(ref _failed);
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            // Any failure (unreachable, timed out, a URL the client refuses): the message only, which could quote the URL, masked.
            log.AlertUnreachable(alert.WebhookUrlEnv, e.GetType().Name, e.Message.Replace(url, $"<env {alert.WebhookUrlEnv}>", StringComparison.Ordinal));
            Interlocked.Increment(ref _failed);
        }
    }
}
