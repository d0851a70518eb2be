namespace Tributary.Server.Contracts;

/// <summary>Where an asset comes from and what reads it, in one pipeline (<c>GET /api/lineage/{asset}</c>).</summary>
/// <param name="Pipeline">The pipeline that produces it.</param>
/// <param name="Step">The step that writes it: the asset itself, or a step writing it under another name (a sync's target).</param>
/// <param name="Type">The component type that produces it.</param>
/// <param name="Upstream">The assets it reads.</param>
/// <param name="Downstream">The assets that read it.</param>
/// <param name="Partitioned">Whether the pipeline is partitioned.</param>
/// <param name="At">Where the pipeline writes it: its step's <c>file:line:col</c>, the file relative to the project (as <c>trib validate</c> names it).</param>
/// <param name="Fingerprint">
/// Its definition's fingerprint down to its sources (64 hex digits; null when unknown): pipelines that give one table the same
/// fingerprint write the same rows and share it, others replace each other's (<c>trib validate</c>'s TRIB0209).
/// </param>
public sealed record AssetLineage(string Pipeline, string Step, string Type, IReadOnlyList<string> Upstream, IReadOnlyList<string> Downstream, bool Partitioned,
    string At, string? Fingerprint);
