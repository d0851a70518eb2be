using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc;
using Tributary.Engine.Execution;
using Tributary.Server.Contracts;
using Tributary.Server.Security;
using Tributary.Core.Projects;

namespace Tributary.Cli.Projects;

/// <summary>
/// A 'trib serve' that owns this project's warehouse, found through <c>.tributary/server.json</c> (its address and
/// process id). Commands that would open the warehouse hand their work to it instead.
/// </summary>
internal sealed class ServerConnection : IDisposable
{
    private readonly HttpClient _http;

    private ServerConnection(HttpClient http, Uri address, string? token, string? writeSecret)
    {
        _http = http;
        _http.BaseAddress = address;
        // A followed run streams for as long as it runs.
        _http.Timeout = Timeout.InfiniteTimeSpan;
        if (token is { Length: > 0 }) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (writeSecret is not null) _http.DefaultRequestHeaders.Add(WriteSecret.Header, writeSecret);
    }

    /// <summary>Where the server listens.</summary>
    public Uri Address => _http.BaseAddress!;

    /// <summary>The running server of the project, or null when none runs.</summary>
    public static ServerConnection? Find(ProjectSession project)
    {
        if (!File.Exists(project.ServerFile)) return null;
        var info = JsonSerializer.Deserialize<Announcement>(File.ReadAllText(project.ServerFile), ApiJson.Options)!;
        if (!LocalProcess.IsAlive(info.Pid)) return null;
        return new ServerConnection(project.HttpClients.CreateClient(), new Uri(info.Url), Environment.GetEnvironmentVariable("TRIBUTARY_TOKEN"), WriteSecret.Read(project.WriteSecretFile));
    }

    /// <summary>Records where this process serves, for other commands to find.</summary>
    public static void Announce(ProjectSession project, Uri address)
    {
        PrivateFiles.CreateFolder(Path.GetDirectoryName(project.ServerFile)!);
        File.WriteAllText(project.ServerFile, JsonSerializer.Serialize(new Announcement(address.ToString(), Environment.ProcessId), ApiJson.Options));
        PrivateFiles.Tighten(project.ServerFile);
    }

    // What the server file holds: where 'trib serve' listens, and its process.
    private sealed record Announcement(string Url, int Pid);

    /// <summary>Queues a run on the server; the answer names its queue entry.</summary>
    public Task<RunQueued> SubmitRunAsync(RunSubmission submission, CancellationToken cancellationToken) =>
        PostAsync<RunSubmission, RunQueued>("/api/runs", submission, cancellationToken);

    /// <summary>A queue entry, with its run once launched.</summary>
    public Task<QueuedRunView> GetQueuedRunAsync(string queueId, CancellationToken cancellationToken) =>
        GetAsync<QueuedRunView>($"/api/queue/{Uri.EscapeDataString(queueId)}", cancellationToken);

    /// <summary>Starts a backfill on the server.</summary>
    public Task<BackfillStarted> StartBackfillAsync(BackfillSubmission submission, CancellationToken cancellationToken) =>
        PostAsync<BackfillSubmission, BackfillStarted>("/api/backfills", submission, cancellationToken);

    /// <summary>Runs a finished backfill's failed and cancelled partitions again on the server.</summary>
    public async Task RetryBackfillAsync(string backfillId, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync($"/api/backfills/{Uri.EscapeDataString(backfillId)}/retry", null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Asks the server to cancel a running run (its steps stop, its tables keep their previous version); a CliException when it does not run there.</summary>
    public Task CancelRunAsync(string runId, CancellationToken cancellationToken) => PostAsync($"/api/runs/{Uri.EscapeDataString(runId)}/cancel", cancellationToken);

    /// <summary>Cancels a queue entry: taken out of the queue while queued, stopped once launched.</summary>
    public Task CancelQueuedAsync(string queueId, CancellationToken cancellationToken) => PostAsync($"/api/queue/{Uri.EscapeDataString(queueId)}/cancel", cancellationToken);

    /// <summary>The queue entry <paramref name="queueId"/>, or null when the server has none of that id.</summary>
    public async Task<QueuedRunView?> FindQueuedRunAsync(string queueId, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/api/queue/{Uri.EscapeDataString(queueId)}", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == System.Net.HttpStatusCode.NotFound) return null;
        return await ReadAsync<QueuedRunView>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Runs SQL on the server's warehouse.</summary>
    public Task<QueryAnswer> QueryAsync(QuerySubmission submission, CancellationToken cancellationToken) =>
        PostAsync<QuerySubmission, QueryAnswer>("/api/query", submission, cancellationToken);

    /// <summary>Counts an audience on the server's warehouse and reads its first rows (the Audiences page's preview).</summary>
    public Task<AudiencePreview> PreviewAudienceAsync(AudiencePreviewRequest request, CancellationToken cancellationToken) =>
        PostAsync<AudiencePreviewRequest, AudiencePreview>("/api/audiences/preview", request, cancellationToken);

    /// <summary>The warehouse's tables.</summary>
    public Task<List<AssetSummary>> ListAssetsAsync(CancellationToken cancellationToken) =>
        GetAsync<List<AssetSummary>>("/api/assets", cancellationToken);

    /// <summary>Follows a run's events (server-sent), calling back for each, until the server says how it ended.</summary>
    public async Task<RunEnded> FollowRunAsync(string runId, Action<RunEventView> onEvent, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync($"/api/runs/{Uri.EscapeDataString(runId)}/events", HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        var name = "message";
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                var data = line["data: ".Length..];
                if (name == "end") return Parse<RunEnded>(data);
                onEvent(Parse<RunEventView>(data));
                name = "message";
            }
        }
        throw new CliException($"the server closed the event stream of run {runId} before it ended; follow it with 'trib runs show {runId}'.");
    }

    private async Task<TResponse> PostAsync<TRequest, TResponse>(string path, TRequest body, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(path, body, ApiJson.Options, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<TResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task PostAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsync(path, null, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> GetAsync<T>(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        await EnsureSuccessAsync(response, cancellationToken).ConfigureAwait(false);
        return Parse<T>(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
    }

    // An error answer becomes a CliException with the server's message (the ProblemDetails detail).
    private static async Task EnsureSuccessAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode) return;
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        ProblemDetails? problem = null;
        try
        {
            problem = JsonSerializer.Deserialize<ProblemDetails>(text, ApiJson.Options);
        }
        catch (JsonException)
        {
            // Not ProblemDetails (a proxy's page, say): the text itself is the message.
        }
        var diagnostics = problem?.Extensions.TryGetValue("diagnostics", out var member) == true && member is JsonElement list
            ? DiagnosticLines(list) : "";
        throw new CliException($"the server answered {(int)response.StatusCode}: {problem?.Detail ?? text}{diagnostics}");
    }

    // A refused pipeline's problems, one line each as trib validate words them (the server gives line and column, not the file).
    private static string DiagnosticLines(JsonElement list)
    {
        if (list.ValueKind != JsonValueKind.Array) return "";
        var lines = new System.Text.StringBuilder();
        foreach (var d in list.Deserialize<List<DiagnosticView>>(ApiJson.Options) ?? [])
            lines.Append(System.Globalization.CultureInfo.InvariantCulture,
                $"\n  {d.Line}:{d.Column}: {(d.Severity == DiagnosticSeverity.Warning ? "warning" : "error")} {d.Code}: {d.Message}{(d.Hint is null ? "" : " " + d.Hint)}");
        return lines.ToString();
    }

    private static T Parse<T>(string json)
    {
        try
        {
            return JsonSerializer.Deserialize<T>(json, ApiJson.Options) ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new CliException($"the server's answer is not the {typeof(T).Name} this trib expects (is the server another version?): {e.Message}");
        }
    }

    public void Dispose() => _http.Dispose();
}
