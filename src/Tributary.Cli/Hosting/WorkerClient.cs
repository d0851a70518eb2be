using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tributary.Cluster;
using Tributary.Core.Projects;
using Tributary.Engine.Execution;

namespace Tributary.Cli.Hosting;

/// <summary>
/// With <c>workers:</c> in tributary.yaml, the daemon's host is a client of the worker cluster and its executor places
/// each partition's steps there (see <see cref="ClusterStepPlacement"/>); the client's membership view comes from the
/// run store's PostgreSQL.
/// </summary>
internal static class WorkerClient
{
    public static void Register(IHostApplicationBuilder builder, ProjectSettings settings, WorkerSettings workers)
    {
        // The settings loader has checked that the run store is PostgreSQL; the store itself was opened (and migrated) first.
        var connectionString = Environment.GetEnvironmentVariable(settings.RunStorePostgresEnv!)!;
        builder.Logging.AddFilter("Orleans", LogLevel.Warning);
        builder.UseOrleansClient(client => client.UseWorkerCluster(connectionString, workers.ClusterId));
        builder.Services.AddSingleton<IStepPlacement>(sp => new ClusterStepPlacement(sp.GetRequiredService<IClusterClient>(), workers.MaxPlacements,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<ClusterStepPlacement>>()));
    }
}
