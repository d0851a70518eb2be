using System.Text.Json.Nodes;
using Tributary.Engine.Runs;

namespace Tributary.Server.Contracts;

/// <summary>One materialization of an asset: a run wrote its table.</summary>
/// <param name="Asset">The asset.</param>
/// <param name="RunId">The run that wrote it.</param>
/// <param name="At">When.</param>
/// <param name="RowCount">Rows written.</param>
/// <param name="DurationMs">How long the step took, in milliseconds.</param>
/// <param name="Metadata">What the component reported about the write (an LTV fit's calibration end, a model's log-likelihood…); empty when it reported nothing.</param>
public sealed record MaterializationView(string Asset, string RunId, DateTimeOffset At, long RowCount, long DurationMs, JsonObject Metadata)
{
    internal static MaterializationView Of(MaterializationRecord m) =>
        new(m.Asset, m.RunId, m.At, m.RowCount, (long)m.Duration.TotalMilliseconds, ParseMetadata(m.MetadataJson));

    // Records written before metadata was kept, or a component that reported none, read as an empty object.
    private static JsonObject ParseMetadata(string json) =>
        string.IsNullOrWhiteSpace(json) ? [] : JsonNode.Parse(json) as JsonObject ?? [];
}
