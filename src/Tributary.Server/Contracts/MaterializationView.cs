using Tributary.Engine.Runs;

namespace Tributary.Server.Contracts;

/// <summary>One materialization of an asset: a run wrote its table.</summary>
/// <param name="Asset">The asset.</param>
/// <param name="RunId">The run that wrote it.</param>
/// <param name="At">When.</param>
/// <param name="RowCount">Rows written.</param>
/// <param name="DurationMs">How long the step took, in milliseconds.</param>
public sealed record MaterializationView(string Asset, string RunId, DateTimeOffset At, long RowCount, long DurationMs)
{
    internal static MaterializationView Of(MaterializationRecord m) => new(m.Asset, m.RunId, m.At, m.RowCount, (long)m.Duration.TotalMilliseconds);
}
