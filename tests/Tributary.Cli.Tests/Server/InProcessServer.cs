using Tributary.Cli.Hosting;
using Tributary.Cli.Output;
using Tributary.Cli.Projects;
using Tributary.Engine.Orchestration;
using Tributary.Server;

namespace Tributary.Cli.Tests.Server;

/// <summary>trib serve hosted in the test's own process on a project folder, with a client of its API; disposing stops it (the browser tests' BrowserSession runs trib serve as a child process).</summary>
internal sealed class InProcessServer : IAsyncDisposable
{
    private readonly ProjectSession _session;

    private InProcessServer(ProjectSession session, TributaryServer server)
    {
        _session = session;
        Server = server;
        Http = new HttpClient { BaseAddress = server.Address };
    }

    public TributaryServer Server { get; }

    public HttpClient Http { get; }

    /// <summary>Starts the server on a free port of the loopback, with <paramref name="token"/> required when given.</summary>
    public static async Task<InProcessServer> StartAsync(string directory, CancellationToken cancellationToken, string? token = null)
    {
        var cli = new CliContext(TextWriter.Null, TextWriter.Null, TimeProvider.System);
        var session = ProjectSession.Open(directory, cli.Time);
        try
        {
            var compose = await TributaryHost.ComposeAsync(cli, session, new DaemonScope(new DaemonOptions()), LogFormat.Text, cancellationToken);
            var server = TributaryServer.Create(new ServerOptions { Port = 0, Token = token, MaxQueryAnswerBytes = session.Settings.ServerQueryMaxMb * 1024L * 1024 }, compose);
            await server.StartAsync(cancellationToken);
            return new InProcessServer(session, server);
        }
        catch
        {
            await session.DisposeAsync();
            throw;
        }
    }

    /// <summary>Writes <c>.tributary/server.json</c> as <c>trib serve</c> does, so that trib commands run in this process hand their work to this server.</summary>
    public void Announce() => ServerConnection.Announce(_session, Server.Address);

    /// <summary>Sends the project's write secret on every request, as the CLI and the web UI do on a server without a token.</summary>
    public void SendWriteSecret() => Http.DefaultRequestHeaders.Add(Tributary.Server.Security.WriteSecret.Header, Tributary.Server.Security.WriteSecret.Read(_session.WriteSecretFile));

    /// <summary>Queues a run of <paramref name="pipeline"/> (of the assets <paramref name="selection"/> names, when given) as a test trigger.</summary>
    public Task RunAsync(string pipeline, CancellationToken cancellationToken, string? selection = null) =>
        Server.Daemon.SubmitAsync(pipeline, null, new Dictionary<string, string>(), "test", 0, cancellationToken, selection: selection);

    public async ValueTask DisposeAsync()
    {
        await Server.StopAsync(CancellationToken.None);
        Http.Dispose();
        await Server.DisposeAsync();
        await _session.DisposeAsync();
    }
}
