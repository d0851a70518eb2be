using Tributary.Core.Components;

namespace Tributary.Server.Contracts;

/// <summary>
/// A warehouse table with its latest materialization (<c>GET /api/assets</c>), grouped under the step that declared it;
/// tables written outside pipelines have neither.
/// </summary>
/// <param name="Name">The table.</param>
/// <param name="LastMaterialized">When a run last wrote it.</param>
/// <param name="Rows">Rows it then wrote.</param>
/// <param name="RunId">That run.</param>
/// <param name="Step">The step whose plan declares the table.</param>
/// <param name="Output">The declared output's name within the step (<c>main</c> for the step's asset).</param>
/// <param name="Role">The declared output's role.</param>
/// <param name="Pipeline">The pipeline of the run that last wrote it; null for tables written outside pipelines.</param>
public sealed record AssetSummary(string Name, DateTimeOffset? LastMaterialized, long? Rows, string? RunId, string? Step, string? Output, OutputRole? Role, string? Pipeline);
