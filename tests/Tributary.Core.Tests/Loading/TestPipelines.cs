using Tributary.Components;
using Tributary.Core.Components;
using Tributary.Core.Loading;

namespace Tributary.Core.Tests.Loading;

/// <summary>Loads pipeline text with the built-in components, as 'p.yaml', and no environment.</summary>
internal static class TestPipelines
{
    private static readonly ComponentCatalog Catalog = BuiltInComponents.CreateCatalog();

    public static LoadResult Load(string yaml, LoadOptions? options = null) =>
        new PipelineLoader(Catalog).Load(yaml, "p.yaml", options ?? new LoadOptions { Environment = _ => null });

    /// <summary>Every diagnostic as 'trib validate' prints it.</summary>
    public static List<string> Problems(string yaml, LoadOptions? options = null) =>
        Load(yaml, options).Diagnostics.Select(d => d.ToString()).ToList();

    /// <summary>The loaded pipeline, after asserting there was no diagnostic.</summary>
    public static Tributary.Core.Pipelines.PipelineSpec Valid(string yaml, LoadOptions? options = null)
    {
        var result = Load(yaml, options);
        Assert.True(result.Succeeded, string.Join("\n", result.Diagnostics));
        return result.Pipeline!;
    }
}
