using Tributary.Core.Components;

namespace Tributary.Engine.Runs;

/// <summary>A warehouse table as asset lists show it: the step that declared it, its role, and its latest materialization.</summary>
/// <param name="Table">The table.</param>
/// <param name="Step">The step whose plan declared it, from its latest materialization; null for tables written outside pipelines.</param>
/// <param name="Output">The declared output's name within its step.</param>
/// <param name="Role">The declared output's role.</param>
/// <param name="Latest">Its latest materialization, if any.</param>
public sealed record AssetEntry(string Table, string? Step, string? Output, OutputRole? Role, MaterializationRecord? Latest);

/// <summary>
/// Groups the warehouse's tables under the steps that declared them (each step's main table first), as recorded in their
/// latest materializations; internal outputs (a source's files ledger) are left out unless asked for.
/// </summary>
public static class AssetList
{
    /// <summary>The tables, grouped by step in name order; tables no step declared come after, by name.</summary>
    public static IReadOnlyList<AssetEntry> Of(IEnumerable<string> tables, IEnumerable<MaterializationRecord> latest, bool includeInternal)
    {
        var byTable = latest.GroupBy(m => m.Asset, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Last(), StringComparer.Ordinal);
        return tables
            .Select(t => byTable.GetValueOrDefault(t) is { } m ? new AssetEntry(t, m.Step ?? t, m.Output ?? DeclaredOutput.MainName, m.Role ?? OutputRole.Main, m)
                : new AssetEntry(t, null, null, null, null))
            .Where(e => includeInternal || e.Role != OutputRole.Internal)
            .OrderBy(e => e.Step is null).ThenBy(e => e.Step ?? e.Table, StringComparer.Ordinal)
            .ThenBy(e => e.Role != OutputRole.Main).ThenBy(e => e.Table, StringComparer.Ordinal)
            .ToList();
    }
}
