using Tributary.Components.Attribution;
using Tributary.Core.Loading;
using Tributary.Testing;

namespace Tributary.Components.Tests.Attribution;

/// <summary>
/// A template's attribution model param offers only the models its attribution step computes: markov_3 and w_shaped were
/// offered, and picking one failed the run at campaign performance ("not among the models attribution computed").
/// </summary>
public sealed class AttributionModelParamTests
{
    [Theory]
    [InlineData("marketing_attribution.yaml", "model")]
    [InlineData("full_cdp.yaml", "attribution_model")]
    public void ModelParam_OffersExactlyTheModelsTheAttributionStepComputes(string template, string param)
    {
        var loaded = new PipelineLoader(BuiltInComponents.CreateCatalog()).LoadFile(Path.Combine(RepositoryFiles.Templates, template), new LoadOptions());
        Assert.True(loaded.Succeeded, string.Join("\n", loaded.Diagnostics));
        var pipeline = loaded.Pipeline!;

        var offered = Assert.Single(pipeline.Params, p => p.Name == param).Values;
        var computed = ((AttributionParameters)Assert.Single(pipeline.Components, c => c.Type == "analytics.attribution").Parameters).Models;

        Assert.Equal(computed.Order(StringComparer.Ordinal), offered.Order(StringComparer.Ordinal));
    }
}
