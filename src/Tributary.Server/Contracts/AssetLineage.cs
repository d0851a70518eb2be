namespace Tributary.Server.Contracts;

/// <summary>Where an asset comes from and what reads it, in one pipeline (<c>GET /api/lineage/{asset}</c>).</summary>
/// <param name="Pipeline">The pipeline that produces it.</param>
/// <param name="Step">The step that writes it: the asset itself, or a step writing it under another name (a sync's target).</param>
/// <param name="Type">The component type that produces it.</param>
/// <param name="Upstream">The assets it reads.</param>
/// <param name="Downstream">The assets that read it.</param>
/// <param name="Partitioned">Whether the pipeline is partitioned.</param>
public sealed record AssetLineage(string Pipeline, string Step, string Type, IReadOnlyList<string> Upstream, IReadOnlyList<string> Downstream, bool Partitioned);
