using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Tributary.Engine.Execution;

namespace Tributary.Cluster;

/// <summary>
/// How silos ('trib worker') and clients (the processes running the daemon) join the worker cluster: membership in the
/// run store's PostgreSQL (ADO.NET clustering; its tables come with the run store's migrations), one cluster id per
/// project, and failure detection tuned so that a killed worker's attempts are placed again within seconds.
/// </summary>
public static class WorkerCluster
{
    /// <summary>The ADO.NET invariant of Npgsql, which the clustering provider loads by name.</summary>
    public const string Invariant = "Npgsql";

    /// <summary>The Orleans service id of every Tributary cluster.</summary>
    public const string ServiceId = "tributary";

    // Every call is short (a step is started, then polled), so a call to a worker killed mid-step fails within this.
    private static readonly TimeSpan ResponseTimeout = TimeSpan.FromSeconds(30);

    /// <summary>Makes <paramref name="silo"/> a worker listening on loopback at <paramref name="port"/> (gateway <paramref name="gatewayPort"/>).</summary>
    public static ISiloBuilder UseWorker(this ISiloBuilder silo, string connectionString, string clusterId, int port, int gatewayPort, WorkerIdentity worker,
        Func<IServiceProvider, StepAttemptRunner> runner)
    {
        silo.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            })
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ServiceId;
            })
            .Configure<SiloOptions>(o => o.SiloName = worker.Name)
            .Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(2);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
                o.TableRefreshTimeout = TimeSpan.FromSeconds(2);
                o.IAmAliveTablePublishTimeout = TimeSpan.FromSeconds(5);
            })
            .Configure<SiloMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout)
            .ConfigureEndpoints(IPAddress.Loopback, port, gatewayPort, listenOnAnyHostAddress: false);
        silo.Services.AddSingleton(worker);
        silo.Services.AddSingleton(runner);
        return silo;
    }

    /// <summary>Makes <paramref name="client"/> a client of the project's worker cluster.</summary>
    public static IClientBuilder UseWorkerCluster(this IClientBuilder client, string connectionString, string clusterId)
    {
        client.UseAdoNetClustering(o =>
            {
                o.Invariant = Invariant;
                o.ConnectionString = connectionString;
            })
            .Configure<ClusterOptions>(o =>
            {
                o.ClusterId = clusterId;
                o.ServiceId = ServiceId;
            })
            .Configure<ClientMessagingOptions>(o => o.ResponseTimeout = ResponseTimeout)
            .Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(2));
        return client;
    }
}
