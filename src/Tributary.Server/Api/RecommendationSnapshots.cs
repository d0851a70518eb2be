using Microsoft.Extensions.Logging;
using Tributary.Engine.Runs;

namespace Tributary.Server.Api;

/// <summary>
/// The current <see cref="RecommendationSnapshot"/>: loaded at start and again after every run that ends, when one of its
/// tables has a newer materialization; the new snapshot replaces the old in one reference swap.
/// </summary>
internal sealed partial class RecommendationSnapshots(TributaryProject project, ILogger log)
{
    private RecommendationSnapshot? _current;
    private Task? _first;

    /// <summary>The snapshot served now, or null when no recommendations have been materialized.</summary>
    public RecommendationSnapshot? Current => Volatile.Read(ref _current);

    /// <summary>The snapshot, waiting for the first load if it is still running.</summary>
    public async ValueTask<RecommendationSnapshot?> GetAsync(CancellationToken cancellationToken)
    {
        if (Current is { } snapshot) return snapshot;
        if (Volatile.Read(ref _first) is { } first) await first.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Current;
    }

    /// <summary>Loads now, then after every run that ends until <paramref name="cancellationToken"/>.</summary>
    public async Task FollowAsync(RunEventHub hub, CancellationToken cancellationToken)
    {
        using var subscription = hub.Subscribe(null);
        var first = RefreshAsync(cancellationToken);
        Volatile.Write(ref _first, first);
        await first.ConfigureAwait(false);
        try
        {
            await foreach (var e in subscription.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                if (e.Kind == RunEventKind.RunEnded) await RefreshAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>Reads a new snapshot when a table behind it changed; a failed read keeps the one served. Called by one loop only, so never twice at once.</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var latest = await project.Runs.GetLatestMaterializationsAsync(cancellationToken).ConfigureAwait(false);
            var tables = await RecommendationTables.FindAsync(project, latest, cancellationToken).ConfigureAwait(false);
            if (tables is null || tables.Key == Current?.Key) return;
            var snapshot = await RecommendationSnapshot.LoadAsync(project.Warehouse, tables, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, snapshot);
            Serving(log, snapshot.ByProfile.Count, tables.Recommendations.Asset, tables.Identity?.Asset ?? "none");
            if (tables.IdentityProblem is { } problem) ProfileIdsOnly(log, problem);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LoadFailed(log, e);
        }
    }

    [LoggerMessage(LogLevel.Information, "recommendations: serving {Customers} customers from {Asset}, found through identity graph {Identity}")]
    private static partial void Serving(ILogger log, int customers, string asset, string identity);

    [LoggerMessage(LogLevel.Warning, "recommendations: customers are found by profile id only, since {Problem}")]
    private static partial void ProfileIdsOnly(ILogger log, string problem);

    [LoggerMessage(LogLevel.Warning, "recommendations: could not load the latest materialization; still serving the previous one")]
    private static partial void LoadFailed(ILogger log, Exception exception);
}
