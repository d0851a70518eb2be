using Tributary.Core.Components;
using Tributary.Core.Pipelines;
using Tributary.Core.Projects;
using Tributary.Core.Warehousing;

namespace Tributary.Engine.Execution;

/// <summary>The context a step's component runs in, built the same way in the executor and on a worker.</summary>
internal static class StepContexts
{
    public static ComponentContext Create(ComponentSpec spec, IReadOnlyDictionary<string, ComponentPlan> plans, IWarehouse warehouse, RunRequest request, string runId,
        TimeProvider time, Action<string> log, IHttpClientFactory? http, string timezone, WriteFence? fence = null)
    {
        var outputs = plans[spec.Id].OutputsOf(spec.Id);
        return new ComponentContext
        {
            Asset = spec.Id, Inputs = spec.Inputs, Paths = new ProjectPaths(request.ProjectDirectory, request.AllowedPaths),
            Outputs = outputs, InputOutputs = spec.Inputs.Distinct().ToDictionary(i => i, i => plans[i].OutputsOf(i)),
            Warehouse = request.Partition is { } partition ? new PartitionedWarehouse(warehouse, WrittenTables(spec, outputs), partition, fence, request.PartitionWindow) : warehouse,
            RunId = runId, Time = time, Log = log, TimeZone = TimeZoneInfo.FindSystemTimeZoneById(timezone),
            Http = http is null ? null : () => http.CreateClient(spec.Type),
            Environment = request.Environment, FullRefresh = request.FullRefresh,
        };
    }

    /// <summary>The tables a step of a partitioned run writes by partition: its declared outputs and its own id.</summary>
    public static IReadOnlySet<string> WrittenTables(ComponentSpec spec, IReadOnlyList<StepOutput> outputs) =>
        outputs.Select(o => o.Table).Append(spec.Id).ToHashSet(StringComparer.Ordinal);
}
