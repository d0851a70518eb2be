using System.Security.Cryptography;
using System.Text;

namespace Tributary.Core.Pipelines;

/// <summary>
/// Each asset's definition fingerprint (Dagster's code version, taken over the whole lineage): a SHA-256 of the
/// component's <see cref="ComponentSpec.Definition"/> and its inputs' fingerprints. Two pipelines that define a table
/// alike, down to its sources, give it the same fingerprint; another definition anywhere upstream gives another one.
/// </summary>
public static class AssetDefinitions
{
    /// <summary>
    /// The fingerprint (64 lowercase hex digits) of every asset of <paramref name="pipeline"/>; null for an asset whose
    /// definition, or one of whose upstream definitions, is unknown (a spec built in code rather than loaded).
    /// </summary>
    public static IReadOnlyDictionary<string, string?> Fingerprints(PipelineSpec pipeline)
    {
        var specs = pipeline.Components.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (var id in AssetGraph.Of(pipeline).TopologicalOrder())
        {
            var spec = specs[id];
            if (spec.Definition is null || spec.Inputs.Any(i => result.GetValueOrDefault(i) is null))
            {
                result[id] = null;
                continue;
            }
            var text = new StringBuilder(spec.Definition);
            foreach (var input in spec.Inputs) text.Append(input).Append('\0').Append(result[input]).Append('\n');
            result[id] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
        }
        return result;
    }
}
