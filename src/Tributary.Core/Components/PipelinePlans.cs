using Tributary.Core.Pipelines;

namespace Tributary.Core.Components;

/// <summary>The plans of a loaded pipeline's components, for those that need their declared outputs after loading.</summary>
public static class PipelinePlans
{
    /// <summary>
    /// Plans every component in dependency order, each with its inputs' planned schemas (as the loader does). A component
    /// whose plan fails declares only its main table: the loader has reported that failure already.
    /// </summary>
    public static IReadOnlyDictionary<string, ComponentPlan> Of(PipelineSpec pipeline, ComponentCatalog catalog)
    {
        var specs = pipeline.Components.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var plans = new Dictionary<string, ComponentPlan>(StringComparer.Ordinal);
        foreach (var id in AssetGraph.Of(pipeline).TopologicalOrder())
        {
            var spec = specs[id];
            var inputs = spec.Inputs.Select(i => new PlannedInput(i, plans.GetValueOrDefault(i)?.Output)).ToList();
            plans[id] = catalog.TryGet(spec.Type, out var descriptor) ? PlanOrUnknown(descriptor, spec.Parameters, new PlanContext(id, inputs)) : ComponentPlan.Unknown;
        }
        return plans;
    }

    /// <summary>Every declared table of every step, keyed by table name.</summary>
    public static IReadOnlyDictionary<string, StepOutput> Tables(IReadOnlyDictionary<string, ComponentPlan> plans) =>
        plans.SelectMany(p => p.Value.OutputsOf(p.Key)).GroupBy(o => o.Table, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private static ComponentPlan PlanOrUnknown(ComponentDescriptor descriptor, object parameters, PlanContext context)
    {
        try
        {
            return descriptor.Plan(parameters, context);
        }
        catch (PlanException)
        {
            return ComponentPlan.Unknown with { MainDescription = descriptor.Description };
        }
    }
}
