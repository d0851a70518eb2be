using System.Net;
using System.Net.Sockets;
using System.Threading.Channels;

namespace Tributary.Testing;

/// <summary>A local webhook on a free loopback port: answers every POST with 200 and keeps each body, in arrival order.</summary>
public sealed class WebhookListener : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Channel<string> _bodies = Channel.CreateUnbounded<string>();
    private readonly Task _serving;

    public WebhookListener()
    {
        // A port the system just handed out and released: free, and no two tests pick the same one by chance.
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Url = $"http://127.0.0.1:{((IPEndPoint)probe.LocalEndpoint).Port}/hook/";
        }
        _listener.Prefixes.Add(Url);
        _listener.Start();
        _serving = Task.Run(ServeAsync);
    }

    /// <summary>The address to post to.</summary>
    public string Url { get; }

    /// <summary>The next body posted, waiting at most <paramref name="timeout"/>.</summary>
    public async Task<string> NextAsync(TimeSpan timeout, CancellationToken cancellationToken) =>
        await _bodies.Reader.ReadAsync(cancellationToken).AsTask().WaitAsync(timeout, cancellationToken);

    /// <summary>The bodies posted so far and not yet read.</summary>
    public IReadOnlyList<string> Received()
    {
        var all = new List<string>();
        while (_bodies.Reader.TryRead(out var body)) all.Add(body);
        return all;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            using (var reader = new StreamReader(context.Request.InputStream)) await _bodies.Writer.WriteAsync(await reader.ReadToEndAsync());
            context.Response.StatusCode = 200;
            context.Response.Close();
        }
    }

    public void Dispose()
    {
        _listener.Close();
        _serving.Wait(TimeSpan.FromSeconds(5));
    }
}
