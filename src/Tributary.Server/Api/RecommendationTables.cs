using System.Text.Json;
using System.Text.Json.Nodes;
using Tributary.Components.Identity;
using Tributary.Core.Pipelines;
using Tributary.Engine.Execution;
using Tributary.Engine.Runs;

namespace Tributary.Server.Api;

/// <summary>
/// The tables a <see cref="RecommendationSnapshot"/> is read from: the newest recommendations with their popular fallback,
/// the similar and bought-together items and the catalog (each told by the columns recorded with its latest
/// materialization), and the identity graph the recommendations were built with (the identity.resolve step upstream of
/// the recommendation step, as the run that wrote them recorded its steps' inputs; for runs recorded before that, as its
/// pipeline file says now) with that graph's merges.
/// </summary>
/// <param name="Recommendations">recs.for_customers' main output.</param>
/// <param name="Fallback">Its popular list, written by the same step in the same run.</param>
/// <param name="Similar">recs.item_similarity's table, or null.</param>
/// <param name="Together">recs.bought_together's table, or null.</param>
/// <param name="Identity">The identity graph upstream of the recommendations, or null when they have none or it cannot be found.</param>
/// <param name="Products">The catalog (sku, category, price, is_active), or null.</param>
/// <param name="IdentityProblem">Why an identity graph upstream could not be found, or null when nothing went wrong.</param>
/// <param name="Merges">The identity graph's merges (surviving_profile, merged_profile), or null.</param>
internal sealed record RecommendationTables(
    MaterializationRecord Recommendations,
    MaterializationRecord? Fallback,
    MaterializationRecord? Similar,
    MaterializationRecord? Together,
    MaterializationRecord? Identity,
    MaterializationRecord? Products,
    string? IdentityProblem,
    MaterializationRecord? Merges = null)
{
    /// <summary>A key that changes whenever one of the tables does.</summary>
    public string Key => string.Join("|", new[] { Recommendations, Fallback, Similar, Together, Identity, Products, Merges }
        .Select(r => r is null ? "-" : $"{r.Asset}@{r.RunId}@{r.At.UtcTicks}"));

    /// <summary>The tables to serve from <paramref name="latest"/>, or null when no recommendations were materialized.</summary>
    public static async Task<RecommendationTables?> FindAsync(TributaryProject project, IReadOnlyList<MaterializationRecord> latest, CancellationToken cancellationToken)
    {
        static bool Has(MaterializationRecord m, params string[] columns) => columns.All(c => m.Columns.Any(x => x.Name == c));
        static MaterializationRecord? Newest(IEnumerable<MaterializationRecord> ms) => ms.OrderByDescending(m => m.At).FirstOrDefault();
        var recommendations = Newest(latest.Where(m => m.MetadataJson.Contains("\"fallback_table\"", StringComparison.Ordinal)
            && Has(m, "customer_id", "rank", "sku", "score", "source", "because_sku")));
        if (recommendations is null) return null;
        var fallback = latest.FirstOrDefault(m => m.Step == recommendations.Step && m.Output == "fallback" && m.RunId == recommendations.RunId);
        var (identity, problem) = await IdentityAsync(project, recommendations, latest, cancellationToken).ConfigureAwait(false);
        var merges = identity is null ? null : latest.FirstOrDefault(m => m.Step == identity.Asset && m.Output == IdentityResolution.MergesOutput && Has(m, "surviving_profile", "merged_profile"));
        return new RecommendationTables(recommendations, fallback,
            Newest(latest.Where(m => Has(m, "sku", "similar_sku", "score", "support", "rank"))),
            Newest(latest.Where(m => Has(m, "sku", "other_sku", "orders", "confidence", "lift", "rank"))),
            identity,
            Newest(latest.Where(m => Has(m, "sku", "category", "price", "is_active"))),
            problem,
            merges);
    }

    /// <summary>
    /// The nearest identity.resolve step upstream of <paramref name="step"/> in <paramref name="pipeline"/> (breadth first,
    /// inputs in their order), or null when none is: then customer ids are the identifiers themselves.
    /// </summary>
    public static string? IdentityUpstream(PipelineSpec pipeline, string step)
    {
        var byId = pipeline.Components.ToDictionary(c => c.Id, StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal) { step };
        var queue = new Queue<string>(byId.TryGetValue(step, out var start) ? start.Inputs : []);
        while (queue.TryDequeue(out var id))
        {
            if (!seen.Add(id) || !byId.TryGetValue(id, out var component)) continue;
            if (component.Type == IdentityResolution.TypeName) return id;
            foreach (var input in component.Inputs) queue.Enqueue(input);
        }
        return null;
    }

    /// <summary>
    /// The nearest identity.resolve step upstream of <paramref name="recommendations"/> as its run recorded its steps' inputs
    /// (breadth first, inputs in their order; an input the run did not write is read from its latest materialization):
    /// Recorded is false when a record on the way predates those records, and Graph null when no identity step is upstream.
    /// </summary>
    public static async Task<(bool Recorded, string? Graph)> RecordedIdentityUpstreamAsync(IRunStore runs, MaterializationRecord recommendations,
        IReadOnlyList<MaterializationRecord> latest, CancellationToken cancellationToken)
    {
        if (RecordedInputs(recommendations) is not { } first) return (false, null);
        var ofRun = await runs.GetMaterializationsAsync(recommendations.RunId, null, cancellationToken).ConfigureAwait(false);
        var seen = new HashSet<string>(StringComparer.Ordinal) { recommendations.Step ?? recommendations.Asset };
        var queue = new Queue<(string Step, string? Type)>(first);
        while (queue.TryDequeue(out var input))
        {
            if (!seen.Add(input.Step)) continue;
            if (input.Type == IdentityResolution.TypeName) return (true, input.Step);
            var written = ofRun.FirstOrDefault(m => m.Asset == input.Step) ?? latest.FirstOrDefault(m => m.Asset == input.Step);
            if (written is null || RecordedInputs(written) is not { } inputs) return (false, null);
            foreach (var i in inputs) queue.Enqueue(i);
        }
        return (true, null);
    }

    // The inputs a run recorded with a main materialization (RunExecutor.InputsKey), or null in records written before it did.
    private static List<(string Step, string? Type)>? RecordedInputs(MaterializationRecord m)
    {
        if (string.IsNullOrWhiteSpace(m.MetadataJson) || JsonNode.Parse(m.MetadataJson) is not JsonObject metadata
            || metadata[RunExecutor.InputsKey] is not JsonArray inputs) return null;
        var list = new List<(string, string?)>();
        foreach (var input in inputs)
        {
            if (input?[RunExecutor.InputStepKey]?.GetValueKind() != JsonValueKind.String) return null;
            list.Add(((string)input[RunExecutor.InputStepKey]!, input[RunExecutor.InputTypeKey]?.GetValueKind() == JsonValueKind.String ? (string?)input[RunExecutor.InputTypeKey] : null));
        }
        return list;
    }

    // Another pipeline's graph may be newer and hold other ids (customer_journey's journey_…), so only the recommendations' own lineage counts.
    // The run's record of its inputs comes first; the pipeline file, loaded without the run's params and perhaps changed since, only for older runs.
    private static async Task<(MaterializationRecord? Identity, string? Problem)> IdentityAsync(TributaryProject project, MaterializationRecord recommendations,
        IReadOnlyList<MaterializationRecord> latest, CancellationToken cancellationToken)
    {
        var (recorded, upstream) = await RecordedIdentityUpstreamAsync(project.Runs, recommendations, latest, cancellationToken).ConfigureAwait(false);
        if (recorded)
        {
            if (upstream is null) return (null, null);
            var written = latest.FirstOrDefault(m => m.Asset == upstream);
            return written is null ? (null, $"the identity graph {upstream} upstream of {recommendations.Asset} in run {recommendations.RunId} has no materialization") : (written, null);
        }
        var run = await project.Runs.GetRunAsync(recommendations.RunId, cancellationToken).ConfigureAwait(false);
        if (run is null) return (null, $"run {recommendations.RunId}, which wrote {recommendations.Asset}, is not in the run history");
        PipelineSpec pipeline;
        try
        {
            pipeline = project.LoadPipeline(run.Pipeline, new Dictionary<string, string>(), null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            return (null, $"pipeline {run.Pipeline}, which wrote {recommendations.Asset}, does not load ({e.Message})");
        }
        var step = recommendations.Step ?? recommendations.Asset;
        if (pipeline.Components.All(c => c.Id != step)) return (null, $"pipeline {run.Pipeline} no longer has the step {step} that wrote {recommendations.Asset}");
        if (IdentityUpstream(pipeline, step) is not { } graph) return (null, null);
        // The table holds what was written last, by this pipeline or another one defining the asset alike.
        var table = latest.FirstOrDefault(m => m.Asset == graph);
        return table is null ? (null, $"the identity graph {graph} upstream of {recommendations.Asset} in pipeline {run.Pipeline} has never been materialized") : (table, null);
    }
}
