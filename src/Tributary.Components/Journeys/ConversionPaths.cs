using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Journeys;

/// <summary>Parameters of <c>journey.conversion_paths</c>.</summary>
public sealed record ConversionPathsParameters : IValidatableObject
{
    /// <summary>Which input plays which role.</summary>
    [Description("Input ids by role: touchpoints (standardize.touchpoints), orders (standardize.orders) and identity (identity.resolve).")]
    public required IReadOnlyDictionary<string, string> Tables { get; init; }

    /// <summary>Lookback window.</summary>
    [Description("Touches up to this many days before a conversion belong to its path. Default 30.")]
    [Range(1, 365)]
    public int LookbackDays { get; init; } = 30;

    /// <summary>Inactivity that ends a journey.</summary>
    [Description("A gap of more than this many days without a touch ends a journey: the touches before it are a non-converting path. Default: the lookback.")]
    [Range(0.01, 365)]
    public double? JourneyGapDays { get; init; }

    /// <summary>Passes the paths are built in, by profile; null chooses from the touchpoints' count and the warehouse's memory limit.</summary>
    [Description("Build the paths in this many passes, each over the profiles whose id hashes to one of them, so the sorts of a pass fit in memory. "
        + "Default: enough passes for the touchpoints' count to fit DuckDB's memory_limit (one pass on PostgreSQL).")]
    [Range(1, KeyedPasses.MaxPasses)]
    public int? Passes { get; init; }

    private static readonly string[] Roles = ["touchpoints", "orders", "identity"];

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var role in Roles.Where(r => !Tables.ContainsKey(r)))
            yield return new ValidationResult($"tables needs {role}.", [nameof(Tables)]);
    }
}

/// <summary>
/// Conversion paths per person, stitched across devices through the identity graph. A person's touches form journeys:
/// a journey ends at an order (a converting path of its touches within the lookback), or after a gap of
/// <c>journey_gap_days</c> without a touch, or when its touches fall out of the lookback (non-converting paths, which
/// data-driven attribution needs as much as the converting ones; Anderl et al. 2016 build journeys the same way).
/// One row per touch; a conversion with no touch in its journey is one <c>direct</c> touch.
/// </summary>
public sealed class ConversionPaths : IComponent<ConversionPathsParameters>
{
    /// <inheritdoc />
    public static string TypeName => "journey.conversion_paths";
    /// <inheritdoc />
    public static string Description => "Identity-stitched conversion and non-conversion paths of touchpoints, one row per touch.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.AtLeastOne;

    private static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("path_id", DataKind.Text), ("profile_id", DataKind.Text), ("position", DataKind.Integer), ("channel", DataKind.Text), ("campaign", DataKind.Text),
        ("touched_at", DataKind.Timestamp), ("days_before_conversion", DataKind.Number), ("converted", DataKind.Boolean), ("conversion_value", DataKind.Number),
        ("converted_at", DataKind.Timestamp),
    ];

    /// <inheritdoc />
    public ComponentPlan Plan(ConversionPathsParameters p, PlanContext context)
    {
        var requires = new List<ColumnRequirement>();
        var needs = new Dictionary<string, string[]>
        {
            ["touchpoints"] = ["anonymous_id", "touched_at", "channel", "campaign"],
            ["orders"] = ["email", "phone", "ordered_at", "total", "is_cancelled"],
            ["identity"] = ["identifier_type", "identifier_value", "profile_id"],
        };
        foreach (var (role, table) in p.Tables)
        {
            var i = context.Inputs.ToList().FindIndex(x => x.Id == table);
            if (i < 0) throw new PlanException($"tables.{role} names '{table}', which is not one of the inputs ({string.Join(", ", context.Inputs.Select(x => x.Id))}).");
            if (needs.TryGetValue(role, out var columns)) requires.AddRange(columns.Select(c => new ColumnRequirement(i, c, [])));
        }
        return new ComponentPlan(new TableSchema(Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()), requires);
    }

    /// <inheritdoc />
    /// <remarks>
    /// Set-based, in the warehouse: a person's touches and orders in time order (an order before a touch at the same
    /// instant) split into segments at each order and at each gap longer than the journey gap; within a segment, a touch
    /// leaves the open journey, together with every other touch leaving at that moment, at the first later touch more than
    /// the lookback after it (found with a range window), and a segment's remaining touches are the converting path of
    /// the order that closes it, less those the lookback excludes.
    /// </remarks>
    public async Task<Materialization> MaterializeAsync(ConversionPathsParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        string T(string role) => w.Dialect.Quote(p.Tables[role]);
        // Window frame offsets cannot be bound: both are validated numbers, written in invariant form.
        var lookback = (p.LookbackDays * 86400.0).ToString("R", CultureInfo.InvariantCulture);
        var gap = ((p.JourneyGapDays ?? p.LookbackDays) * 86400.0).ToString("R", CultureInfo.InvariantCulture);
        // Every window, join and EXISTS below keeps to one profile, so the statement can run in passes by profile (KeyedPasses):
        // at 100k customers its windows' working memory went past DuckDB's limit and made the run's peak.
        var passes = p.Passes is { } fixedCount ? KeyedPasses.Of(fixedCount)
            : await KeyedPasses.ForTableAsync(w, T("touchpoints"), WorkingBytesPerTouch, cancellationToken).ConfigureAwait(false);
        var sql = $"""
            WITH timeline AS (
                SELECT i.profile_id, t.touched_at AS moment, 1 AS is_touch, t.channel, t.campaign, CAST(NULL AS DOUBLE PRECISION) AS value
                FROM {T("touchpoints")} t JOIN {T("identity")} i ON i.identifier_type = 'anonymous_id' AND i.identifier_value = t.anonymous_id
                WHERE {passes.Keeps(w.Dialect, "i.profile_id")}
                UNION ALL
                SELECT coalesce(e.profile_id, ph.profile_id), o.ordered_at, 0, NULL, NULL, CAST(o.total AS DOUBLE PRECISION)
                FROM {T("orders")} o
                LEFT JOIN {T("identity")} e ON e.identifier_type = 'email' AND e.identifier_value = o.email
                LEFT JOIN {T("identity")} ph ON ph.identifier_type = 'phone' AND ph.identifier_value = o.phone
                WHERE NOT o.is_cancelled AND coalesce(e.profile_id, ph.profile_id) IS NOT NULL AND {passes.Keeps(w.Dialect, "coalesce(e.profile_id, ph.profile_id)")}),
            timed AS (
                SELECT *, CAST(extract(epoch FROM moment) AS DOUBLE PRECISION) AS ep FROM timeline),
            marked AS (
                -- One sort numbers the rows and finds where segments start: rows tied on the whole order are alike in every
                -- column the lag reads, so the lag needs no tie-break beyond it.
                SELECT *, row_number() OVER w AS seq,
                       CASE WHEN lag(is_touch) OVER w IS NULL OR lag(is_touch) OVER w = 0 OR ep - lag(ep) OVER w > {gap} THEN 1 ELSE 0 END AS starts
                FROM timed WINDOW w AS (PARTITION BY profile_id ORDER BY moment, is_touch, {w.Dialect.ByteOrder("channel")}, {w.Dialect.ByteOrder("campaign")}, value)),
            segmented AS (
                SELECT *, sum(starts) OVER (PARTITION BY profile_id ORDER BY seq ROWS UNBOUNDED PRECEDING) AS seg FROM marked),
            closing AS (
                SELECT profile_id, seg, moment AS order_at, ep AS order_ep, value AS order_value,
                       row_number() OVER (PARTITION BY profile_id ORDER BY seq) AS order_number
                FROM segmented WHERE is_touch = 0),
            touches AS (
                SELECT s.profile_id, s.seg, s.seq, s.moment, s.ep, s.channel, s.campaign,
                       count(*) OVER (PARTITION BY s.profile_id, s.seg ORDER BY s.ep RANGE BETWEEN UNBOUNDED PRECEDING AND {lookback} FOLLOWING) AS within,
                       count(*) OVER (PARTITION BY s.profile_id, s.seg) AS n
                FROM segmented s WHERE s.is_touch = 1),
            classified AS (
                -- 0: left at a later touch; 1: expired by the lookback at the order; 2: converting; 3: journey ended unconverted.
                SELECT t.*, c.order_at, c.order_ep, c.order_value, c.order_number,
                       CASE WHEN t.within < t.n THEN 0 WHEN c.order_at IS NULL THEN 3 WHEN c.order_ep - t.ep > {lookback} THEN 1 ELSE 2 END AS kind
                FROM touches t LEFT JOIN closing c ON c.profile_id = t.profile_id AND c.seg = t.seg),
            paths AS (
                -- A path's rows are adjacent in its partition's order (seg, kind, within): a row's place in its path is its row
                -- number in that order (then seq) less the rank of the path's first row, with no sort by the text path id.
                SELECT *, CASE WHEN kind = 2 THEN profile_id || '#' || CAST(order_number AS VARCHAR)
                               ELSE profile_id || '#nc' || CAST(dense_rank() OVER p AS VARCHAR)
                          END AS path_id,
                       row_number() OVER (PARTITION BY profile_id, kind = 2 ORDER BY seg, kind, CASE WHEN kind = 0 THEN within ELSE 0 END, seq) - rank() OVER p + 1 AS path_position
                FROM classified WINDOW p AS (PARTITION BY profile_id, kind = 2 ORDER BY seg, kind, CASE WHEN kind = 0 THEN within ELSE 0 END))
            SELECT path_id, profile_id, CAST(path_position AS BIGINT) AS position, channel, campaign, moment AS touched_at,
                   CASE WHEN kind = 2 THEN (order_ep - ep) / 86400.0 END AS days_before_conversion, kind = 2 AS converted,
                   CASE WHEN kind = 2 THEN order_value ELSE 0.0 END AS conversion_value, CASE WHEN kind = 2 THEN order_at END AS converted_at
            FROM paths
            UNION ALL
            SELECT c.profile_id || '#' || CAST(c.order_number AS VARCHAR), c.profile_id, CAST(1 AS BIGINT), 'direct', CAST(NULL AS VARCHAR), c.order_at,
                   CAST(0.0 AS DOUBLE PRECISION), TRUE, c.order_value, c.order_at
            FROM closing c
            WHERE NOT EXISTS (SELECT 1 FROM classified t WHERE t.profile_id = c.profile_id AND t.seg = c.seg AND t.kind = 2)
            """;
        var written = await w.ReplaceTableAsync(context.Asset, (b, ct) => passes.BuildAsync(b, sql, ct), cancellationToken).ConfigureAwait(false);
        // A path's positions are 1..n (its row number less its first row's), so its first touch counts it: at 100k demo
        // customers the distinct counts of the text ids took 0.5 CPU s, this 0.03.
        var counts = await w.QueryAsync(
            $"SELECT count(CASE WHEN position = 1 AND converted THEN 1 END), count(CASE WHEN position = 1 AND NOT converted THEN 1 END) FROM {w.Dialect.Quote(context.Asset)}",
            null, 1, cancellationToken).ConfigureAwait(false);
        var converting = Convert.ToInt64(counts.Rows[0][0], CultureInfo.InvariantCulture);
        var nonConverting = Convert.ToInt64(counts.Rows[0][1], CultureInfo.InvariantCulture);
        context.Log($"{converting:N0} converting and {nonConverting:N0} non-converting paths, {written:N0} touches{(passes.Count > 1 ? $", built in {passes} by profile" : "")}");
        return new Materialization(written, new Dictionary<string, object?> { ["converting_paths"] = converting, ["non_converting_paths"] = nonConverting });
    }

    /// <summary>
    /// Working memory of the statement per touchpoint, for choosing its passes: at 25k demo customers (652k touchpoints)
    /// the statement alone peaked at 454 MB of process memory, at 100k (2.6M) at 1,151 MB with DuckDB's limit at 1000MB;
    /// a pass is sized to fill the limit at this rate, so 25k runs in one pass and 100k in four.
    /// </summary>
    internal const long WorkingBytesPerTouch = 1_200;
}
