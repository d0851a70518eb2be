using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Server.Security;

namespace Tributary.Cli.Projects;

/// <summary>
/// A 'trib serve' that owns this project's warehouse, found through <c>.tributary/server.json</c> (its address and
/// process id). Commands that would open the warehouse hand their work to it instead.
/// </summary>
internal sealed class ServerConnection : IDisposable
{
    private readonly HttpClient _http;

    private ServerConnection(Uri address, string? token, string? writeSecret)
    {
        _http = new HttpClient { BaseAddress = address, Timeout = Timeout.InfiniteTimeSpan };
        if (token is { Length: > 0 }) _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (writeSecret is not null) _http.DefaultRequestHeaders.Add(WriteSecret.Header, writeSecret);
    }

    /// <summary>The running server of the project, or null when none runs.</summary>
    public static ServerConnection? Find(ProjectSession project)
    {
        if (!File.Exists(project.ServerFile)) return null;
        var info = JsonNode.Parse(File.ReadAllText(project.ServerFile))!;
        if (!ProjectSession.IsAlive((int)info["pid"]!)) return null;
        return new ServerConnection(new Uri((string)info["url"]!), Environment.GetEnvironmentVariable("TRIBUTARY_TOKEN"), WriteSecret.Read(project.WriteSecretFile));
    }

    /// <summary>Records where this process serves, for other commands to find.</summary>
    public static void Announce(ProjectSession project, Uri address)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(project.ServerFile)!);
        File.WriteAllText(project.ServerFile, JsonSerializer.Serialize(new { url = address.ToString(), pid = Environment.ProcessId }));
    }

    /// <summary>POSTs <paramref name="body"/> and returns the JSON answer; an error answer becomes a CliException with the server's message.</summary>
    public async Task<JsonNode> PostAsync(string path, object body, CancellationToken cancellationToken)
    {
        using var response = await _http.PostAsJsonAsync(path, body, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>GETs JSON.</summary>
    public async Task<JsonNode> GetAsync(string path, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, cancellationToken).ConfigureAwait(false);
        return await ReadAsync(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a server-sent event stream, calling back for each event until the stream ends.</summary>
    public async Task StreamAsync(string path, Action<string, JsonNode> onEvent, CancellationToken cancellationToken)
    {
        using var response = await _http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode) await ReadAsync(response, cancellationToken).ConfigureAwait(false);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false));
        var name = "message";
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
        {
            if (line.StartsWith("event: ", StringComparison.Ordinal)) name = line["event: ".Length..];
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                onEvent(name, JsonNode.Parse(line["data: ".Length..])!);
                name = "message";
            }
        }
    }

    private static async Task<JsonNode> ReadAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        var json = text.Length == 0 ? new JsonObject() : JsonNode.Parse(text)!;
        if (!response.IsSuccessStatusCode)
            throw new CliException($"the server answered {(int)response.StatusCode}: {(json is JsonObject o && o["detail"] is { } e ? (string)e! : text)}");
        return json;
    }

    public void Dispose() => _http.Dispose();
}
