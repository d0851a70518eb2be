using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Standardize;

/// <summary>Canonical <c>experiment_exposures</c>: each visitor's first exposure to each experiment ("Experiment Viewed"), with variant and count.</summary>
public sealed class ExperimentExposuresStandardizer : IComponent<StandardizeParameters>
{
    /// <inheritdoc />
    public static string TypeName => "standardize.experiment_exposures";
    /// <inheritdoc />
    public static string Description => "First exposure per visitor and experiment, from Experiment Viewed events.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    /// <inheritdoc />
    public ComponentPlan Plan(StandardizeParameters parameters, PlanContext context) => new(Schema.Of(
        ("experiment", DataKind.Text), ("variant", DataKind.Text), ("visitor_id", DataKind.Text), ("anonymous_id", DataKind.Text), ("user_id", DataKind.Text),
        ("first_exposed_at", DataKind.Timestamp), ("exposures", DataKind.Integer), ("variants_seen", DataKind.Integer)),
        Schema.Needs(0, "event", "experiment", "variant", "anonymous_id", "user_id", "occurred_at"));

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(StandardizeParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var input = context.Warehouse.Dialect.Quote(context.Inputs[0]);
        // A visitor is a user when known; variants_seen > 1 flags broken assignment (a user bucketed into two variants).
        var sql = $"""
            WITH x AS (
                SELECT experiment, variant, coalesce(user_id, anonymous_id) AS visitor_id, anonymous_id, user_id, occurred_at,
                       row_number() OVER (PARTITION BY experiment, coalesce(user_id, anonymous_id) ORDER BY occurred_at) AS k
                FROM {input} WHERE event = 'Experiment Viewed' AND experiment IS NOT NULL AND variant IS NOT NULL)
            SELECT experiment, max(CASE WHEN k = 1 THEN variant END) AS variant, visitor_id, max(CASE WHEN k = 1 THEN anonymous_id END) AS anonymous_id,
                   max(user_id) AS user_id, min(occurred_at) AS first_exposed_at, count(*) AS exposures, count(DISTINCT variant) AS variants_seen
            FROM x GROUP BY experiment, visitor_id
            """;
        return Materialization.Of(await context.Warehouse.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync(sql, null, ct), cancellationToken).ConfigureAwait(false));
    }
}
