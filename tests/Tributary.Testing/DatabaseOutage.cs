using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Tributary.Testing;

/// <summary>
/// A loopback relay in front of the test cluster that one test can take down and bring back, as a database restart or
/// failover looks to a client (open connections reset, new ones refused), without stopping the cluster other tests share.
/// </summary>
public sealed class DatabaseOutage : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly int _port;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _lock = new();
    private TcpListener? _listener;
    private Task? _accepting;

    private DatabaseOutage(string connectionString, int port)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _target = new IPEndPoint(IPAddress.Parse(builder.Host!), builder.Port);
        _port = port;
        builder.Host = "127.0.0.1";
        builder.Port = port;
        ConnectionString = builder.ConnectionString;
    }

    /// <summary>The connection string through the relay: <paramref name="connectionString"/> with the relay's port.</summary>
    public string ConnectionString { get; }

    /// <summary>A relay to the server of <paramref name="connectionString"/>, up.</summary>
    public static DatabaseOutage Before(string connectionString)
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var relay = new DatabaseOutage(connectionString, ((IPEndPoint)probe.LocalEndpoint).Port);
        probe.Stop();
        relay.Up();
        return relay;
    }

    /// <summary>Resets every open connection and refuses new ones until <see cref="Up"/>.</summary>
    public void Down()
    {
        lock (_lock)
        {
            _listener?.Stop();
            _listener = null;
            foreach (var client in _open)
            {
                try
                {
                    if (client.Client is { } socket) socket.LingerState = new LingerOption(true, 0); // a reset, as a killed server gives
                }
                catch (ObjectDisposedException)
                {
                    // Its pump closed it already.
                }
                client.Dispose();
            }
            _open.Clear();
        }
    }

    /// <summary>Accepts connections again.</summary>
    public void Up()
    {
        lock (_lock)
        {
            var listener = new TcpListener(IPAddress.Loopback, _port);
            listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            listener.Start();
            _listener = listener;
            _accepting = AcceptAsync(listener);
        }
    }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var server = new TcpClient();
            try
            {
                await server.ConnectAsync(_target);
            }
            catch (SocketException)
            {
                client.Dispose();
                server.Dispose();
                continue;
            }
            lock (_lock)
            {
                if (_listener != listener)
                {
                    client.Dispose();
                    server.Dispose();
                    return;
                }
                _open.Add(client);
                _open.Add(server);
            }
            _ = PumpAsync(client, server);
            _ = PumpAsync(server, client);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // The outage cut it.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        Down();
        if (_accepting is not null) await _accepting;
    }
}
