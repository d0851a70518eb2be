using Tributary.Engine.Orchestration;

namespace Tributary.Engine.Runs;

/// <summary>A project's one store: the run history and the daemon's state together, so a run and the queue entry that launched it are read side by side.</summary>
public interface IProjectRunStore : IRunStore, IOrchestrationStore
{
    /// <summary>
    /// Deletes history older than <paramref name="cutoffs"/> in one transaction (rolled back when <paramref name="dryRun"/>),
    /// never a run still running or queued, a run holding the latest materialization of an asset (lineage and freshness
    /// read it), the latest run and latest successful run of each pipeline and partition (partition status reads them),
    /// queue entries not finished, backfills or cursors.
    /// </summary>
    Task<PruneResult> PruneAsync(PruneCutoffs cutoffs, bool dryRun, CancellationToken cancellationToken);

    /// <summary>
    /// Gives the space of deleted rows back to the file system; returns the bytes given back. With <paramref name="rewrite"/>,
    /// a store that cannot do it in place (a SQLite file created before incremental auto-vacuum) is rewritten once so that
    /// it can. PostgreSQL's autovacuum reclaims on its own: nothing to do there.
    /// </summary>
    Task<long> ReclaimSpaceAsync(bool rewrite, CancellationToken cancellationToken) => Task.FromResult(0L);
}
