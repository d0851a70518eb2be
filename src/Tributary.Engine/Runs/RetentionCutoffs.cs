using Tributary.Core.Projects;

namespace Tributary.Engine.Runs;

/// <summary>The cutoffs of a project's retention at one moment.</summary>
public static class RetentionCutoffs
{
    /// <summary>Each kind's cutoff: <paramref name="now"/> less its retention; null (kept forever) where it has none.</summary>
    public static PruneCutoffs At(RetentionSettings retention, DateTimeOffset now) =>
        new(now - retention.Runs, now - retention.Ticks, now - retention.SkippedTicks);
}
