using Microsoft.Extensions.Hosting;

namespace Tributary.Engine.Orchestration;

/// <summary>
/// The <see cref="Daemon"/> as a hosted service: it ticks from the host's start until its stop, and stopping awaits the
/// daemon's own shutdown (running runs cancelled and queued again) for as long as the host's stop token allows.
/// </summary>
public sealed class DaemonService(Daemon daemon) : BackgroundService
{
    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => daemon.RunAsync(stoppingToken);
}
