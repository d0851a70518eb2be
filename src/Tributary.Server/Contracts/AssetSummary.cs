namespace Tributary.Server.Contracts;

/// <summary>A warehouse table with its latest materialization (<c>GET /api/assets</c>); tables written outside pipelines have none.</summary>
/// <param name="Name">The table.</param>
/// <param name="LastMaterialized">When a run last wrote it.</param>
/// <param name="Rows">Rows it then wrote.</param>
/// <param name="RunId">That run.</param>
public sealed record AssetSummary(string Name, DateTimeOffset? LastMaterialized, long? Rows, string? RunId);
