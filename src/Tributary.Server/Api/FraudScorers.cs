using Microsoft.Extensions.Logging;
using Tributary.Components.Fraud;
using Tributary.Engine.Runs;

namespace Tributary.Server.Api;

/// <summary>
/// The <see cref="FraudScorer"/> served now: loaded at start from the latest risk score materialization (its pipeline,
/// rules, stored forests and the transactions behind it) and again after every run that writes a newer one; the new
/// scorer replaces the old in one reference swap.
/// </summary>
internal sealed partial class FraudScorers(TributaryProject project, ILogger log)
{
    /// <summary>A loaded scorer and where it comes from.</summary>
    public sealed record Loaded(FraudScorer Scorer, string Pipeline, DateTimeOffset MaterializedAt, string Key);

    private Loaded? _current;
    private Task? _first;

    /// <summary>The scorer, waiting for the first load if it is still running; null when no risk scores were materialized.</summary>
    public async ValueTask<Loaded?> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _current) is { } loaded) return loaded;
        if (Volatile.Read(ref _first) is { } first) await first.WaitAsync(cancellationToken).ConfigureAwait(false);
        return Volatile.Read(ref _current);
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

    private static readonly string[] RiskColumns = ["transaction_id", "risk_score", "decision", "reasons", "rule_part", "anomaly_part"];

    /// <summary>The newest risk score table: analytics.risk_score's main output, told by its columns.</summary>
    public static MaterializationRecord? Find(IReadOnlyList<MaterializationRecord> latest) =>
        latest.Where(m => m.Output is null or "main" && RiskColumns.All(c => m.Columns.Any(x => x.Name == c)))
            .OrderByDescending(m => m.At).FirstOrDefault();

    // Called by one loop only, so never twice at once; a failed load keeps the scorer served.
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            var latest = await project.Runs.GetLatestMaterializationsAsync(cancellationToken).ConfigureAwait(false);
            if (Find(latest) is not { } risk) return;
            var key = $"{risk.Asset}@{risk.RunId}@{risk.At.UtcTicks}";
            if (key == Volatile.Read(ref _current)?.Key) return;
            var run = await project.Runs.GetRunAsync(risk.RunId, cancellationToken).ConfigureAwait(false);
            if (run is null) return;
            var pipeline = project.LoadPipeline(run.Pipeline, new Dictionary<string, string>(), null);
            var scorer = await FraudScorer.LoadAsync(project.Warehouse, pipeline, risk.Step ?? risk.Asset, cancellationToken).ConfigureAwait(false);
            Volatile.Write(ref _current, new Loaded(scorer, run.Pipeline, risk.At, key));
            Serving(log, scorer.Transactions, run.Pipeline, risk.Asset);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LoadFailed(log, e);
        }
    }

    [LoggerMessage(LogLevel.Information, "fraud scoring: {Transactions} transactions of history, models of pipeline {Pipeline} ({Asset})")]
    private static partial void Serving(ILogger log, int transactions, string pipeline, string asset);

    [LoggerMessage(LogLevel.Warning, "fraud scoring: could not load the latest risk scores; still serving the previous scorer")]
    private static partial void LoadFailed(ILogger log, Exception exception);
}
