namespace Tributary.Core.Warehousing;

/// <summary>A fenced commit refused: a newer attempt of the same partition holds the fence. The table is unchanged.</summary>
public sealed class StaleAttemptException(string table, string partition, long epoch)
    : InvalidOperationException($"{table} [{partition}]: attempt epoch {epoch} is stale (a newer attempt of this partition started); its commit was refused and the table is unchanged.")
{
    /// <summary>The refused attempt's epoch.</summary>
    public long Epoch => epoch;
}
