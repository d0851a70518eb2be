using System.Net.Http.Json;
using Tributary.Core.Pipelines;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// Posts a Slack-compatible message (<c>{"text": ...}</c>) to the webhook a pipeline's <c>on_failure</c> names through an
/// environment variable. A missing variable or a failing webhook is logged, never fatal: an alert must not fail a run.
/// </summary>
public sealed class FailureAlerts(HttpClient http, Func<string, string?> environment, Action<string> log)
{
    /// <summary>Sends <paramref name="text"/> when <paramref name="pipeline"/> has an <c>on_failure</c> webhook.</summary>
    public async Task SendAsync(PipelineSpec pipeline, string text, CancellationToken cancellationToken)
    {
        log(text);
        if (pipeline.OnFailure is not { } alert) return;
        if (environment(alert.WebhookUrlEnv) is not { Length: > 0 } url)
        {
            log($"on_failure: environment variable {alert.WebhookUrlEnv} is not set; no alert sent");
            return;
        }
        try
        {
            using var response = await http.PostAsJsonAsync(url, new { text }, cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode) log($"on_failure: the webhook answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException e)
        {
            log($"on_failure: the webhook could not be reached: {e.Message}");
        }
    }
}
