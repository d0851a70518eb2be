using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Features;

/// <summary>Parameters of <c>features.customer_snapshot</c>.</summary>
public sealed record CustomerSnapshotParameters : IValidatableObject
{
    /// <summary>Which input plays which role.</summary>
    [Description("Input ids by role, each keyed by customer_id: orders (required: ordered_at, amount, discount, refunded), and any of sessions (started_at, channel), emails (occurred_at of each email opened), tickets (created_at, solved_at, satisfaction). Timestamps count on their days in the project's timezone (tributary.yaml, default UTC).")]
    public required IReadOnlyDictionary<string, string> Tables { get; init; }

    /// <summary>The snapshot day.</summary>
    [Description("Snapshot date (YYYY-MM-DD): every feature uses only rows strictly before it. Default (or empty): the day after the last order.")]
    public string? AsOf { get; init; }

    /// <summary>Earlier snapshots to add.</summary>
    [Description("Also write snapshots this many days before as_of (e.g. [90], for a model trained where the outcome is known). Each row carries its as_of. Default none.")]
    public IReadOnlyList<double> PastSnapshotsDays { get; init; } = [];

    internal static readonly string[] Roles = ["orders", "sessions", "emails", "tickets"];

    /// <summary>The snapshot date, if given.</summary>
    public DateOnly? AsOfDate => DateOnly.TryParseExact(AsOf, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? d : null;

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var role in Tables.Keys.Where(r => !Roles.Contains(r)))
            yield return new ValidationResult($"tables: unknown role '{role}'. Roles: {string.Join(", ", Roles)}.", [nameof(Tables)]);
        if (!Tables.ContainsKey("orders")) yield return new ValidationResult("tables needs orders: one row per order with customer_id, ordered_at, amount, discount and refunded.", [nameof(Tables)]);
        if (!string.IsNullOrEmpty(AsOf) && AsOfDate is null) yield return new ValidationResult($"as_of must be a date as YYYY-MM-DD, got '{AsOf}'.", [nameof(AsOf)]);
        foreach (var days in PastSnapshotsDays.Where(d => d is < 1 or > 3650 || d != Math.Floor(d)))
            yield return new ValidationResult($"past_snapshots_days must each be a whole number of days between 1 and 3650, got {days.ToString(CultureInfo.InvariantCulture)}.", [nameof(PastSnapshotsDays)]);
    }
}

/// <summary>
/// Point-in-time features per customer who ordered before a snapshot day: recency, frequency, monetary value and their
/// 90-day trend, inter-purchase time against the customer's own average, discount and refund shares, sessions in 7/30/90
/// days and their trend, distinct channels, email opens and their trend, support tickets (open at the snapshot, age of
/// the oldest, recent bad ratings) and tenure. Every input row counts only if it happened before the snapshot (a ticket
/// is open if it was not solved before it), so a snapshot never changes when later rows arrive. One query, the same on
/// every engine, keyed by customer.
/// </summary>
public sealed class CustomerSnapshot : IComponent<CustomerSnapshotParameters>
{
    /// <inheritdoc />
    public static string TypeName => "features.customer_snapshot";
    /// <inheritdoc />
    public static string Description => "Point-in-time customer features as of a date (no data from after it): RFM and trends, sessions, email, support, tenure.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.AtLeastOne;
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    /// <summary>The columns, in order; the features a model reads are all but the first two.</summary>
    internal static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("customer_id", DataKind.Text), ("as_of", DataKind.Date), ("tenure_days", DataKind.Integer), ("orders", DataKind.Integer), ("frequency", DataKind.Integer),
        ("recency_days", DataKind.Integer), ("days_to_last_order", DataKind.Integer), ("revenue", DataKind.Number), ("average_order_value", DataKind.Number),
        ("orders_30d", DataKind.Integer), ("orders_90d", DataKind.Integer), ("orders_prior_90d", DataKind.Integer), ("orders_trend", DataKind.Integer),
        ("revenue_90d", DataKind.Number), ("revenue_prior_90d", DataKind.Number), ("mean_interpurchase_days", DataKind.Number), ("recency_ratio", DataKind.Number),
        ("discount_share", DataKind.Number), ("refunded_orders", DataKind.Integer), ("refund_share", DataKind.Number),
        ("sessions_7d", DataKind.Integer), ("sessions_30d", DataKind.Integer), ("sessions_prior_30d", DataKind.Integer), ("sessions_90d", DataKind.Integer),
        ("sessions_trend", DataKind.Integer), ("days_since_last_session", DataKind.Integer), ("distinct_channels_90d", DataKind.Integer),
        ("emails_opened_30d", DataKind.Integer), ("emails_opened_prior_30d", DataKind.Integer), ("emails_opened_90d", DataKind.Integer), ("email_trend", DataKind.Integer),
        ("tickets_90d", DataKind.Integer), ("open_tickets", DataKind.Integer), ("oldest_open_ticket_days", DataKind.Integer), ("bad_ratings_90d", DataKind.Integer),
    ];

    private static readonly Dictionary<string, string[]> Needs = new()
    {
        ["orders"] = ["customer_id", "ordered_at", "amount", "discount", "refunded"],
        ["sessions"] = ["customer_id", "started_at", "channel"],
        ["emails"] = ["customer_id", "occurred_at"],
        ["tickets"] = ["customer_id", "created_at", "solved_at", "satisfaction"],
    };

    /// <inheritdoc />
    public ComponentPlan Plan(CustomerSnapshotParameters p, PlanContext context)
    {
        var requires = new List<ColumnRequirement>();
        foreach (var (role, table) in p.Tables)
        {
            var i = context.Inputs.ToList().FindIndex(x => x.Id == table);
            if (i < 0) throw new PlanException($"tables.{role} names '{table}', which is not one of the inputs ({string.Join(", ", context.Inputs.Select(x => x.Id))}).");
            requires.AddRange(Needs[role].Select(c => new ColumnRequirement(i, c, [], $"Give the {role} input a '{c}' column (rename it in a transform.sql step).")));
        }
        return new ComponentPlan(new TableSchema(Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()), requires);
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(CustomerSnapshotParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var asOf = p.AsOfDate;
        if (asOf is null)
        {
            var first = new SqlBuilder(w.Dialect);
            var day = first.Cast(await ReportingZone.LocalAsync(context, first, p.Tables["orders"], "ordered_at", cancellationToken).ConfigureAwait(false), DataKind.Date);
            var last = await w.ScalarAsync($"SELECT max({day}) FROM {w.Dialect.Quote(p.Tables["orders"])}", first.Parameters, cancellationToken).ConfigureAwait(false);
            asOf = last is DateOnly d ? d.AddDays(1) : throw new InputDataException($"input '{p.Tables["orders"]}' has no orders with a date in 'ordered_at'.");
        }
        var days = new[] { asOf.Value }.Concat(p.PastSnapshotsDays.Select(d => (int)d).Distinct().Order().Select(d => asOf.Value.AddDays(-d))).ToList();
        var q = new SqlBuilder(w.Dialect);
        // Every table counts on the reporting zone's days: a snapshot of day d holds the rows before its local midnight.
        var orderedAt = await ReportingZone.LocalAsync(context, q, p.Tables["orders"], "ordered_at", cancellationToken).ConfigureAwait(false);
        async Task<string> Local(string role, string column, string expression) => p.Tables.TryGetValue(role, out var table)
            ? q.Local(expression, await ReportingZone.KindAsync(context, table, column, cancellationToken).ConfigureAwait(false), context.TimeZone) : expression;
        var local = new LocalTimes(orderedAt, await Local("sessions", "started_at", "started_at"), await Local("sessions", "started_at", "ses.last_session"),
            await Local("emails", "occurred_at", "occurred_at"), await Local("tickets", "created_at", "created_at"), await Local("tickets", "solved_at", "solved_at"));
        var sql = string.Join("\nUNION ALL\n", days.Select(d => SnapshotSql(p, q, d, local)));
        var columns = string.Join(", ", Columns.Select(c => $"CAST({w.Dialect.Quote(c.Name)} AS {w.Dialect.TypeName(c.Kind)}) AS {w.Dialect.Quote(c.Name)}"));
        var rows = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAsSelectAsync($"SELECT {columns} FROM ({sql}) AS snapshot", q.Parameters, ct), cancellationToken)
            .ConfigureAwait(false);
        context.Log($"{rows:N0} customer snapshots as of {string.Join(", ", days.Select(Iso))}");
        return new Materialization(rows, new Dictionary<string, object?> { ["as_of"] = Iso(asOf.Value), ["snapshots"] = string.Join(",", days.Select(Iso)) });
    }

    internal static string Iso(DateOnly day) => day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>
    /// Why a model that trains on the snapshot <paramref name="days"/> (its <paramref name="setting"/>) before the latest
    /// found only <paramref name="found"/> customers there: no snapshot of that day (past_snapshots_days lacks it), or one
    /// of too few customers (the history does not reach far enough back).
    /// </summary>
    internal static async Task<InputDataException> TooFewToTrainAsync(IWarehouse w, string input, DateOnly trainDay, DateOnly latest, string setting, int days, int found,
        CancellationToken cancellationToken)
    {
        var q = new SqlBuilder(w.Dialect);
        var snapshots = Convert.ToInt64(await w.ScalarAsync($"SELECT count(*) FROM {q.Quote(input)} WHERE as_of = {q.Bind(trainDay, DataKind.Date)}", q.Parameters, cancellationToken)
            .ConfigureAwait(false), CultureInfo.InvariantCulture);
        var what = $"input '{input}' has {found} customers as of {Iso(trainDay)} ({setting} = {days} before the latest snapshot, {Iso(latest)}); the model needs at least 50 to train on.";
        return new InputDataException(snapshots == 0 && found == 0
            ? $"{what} There is no snapshot of that day: set past_snapshots_days: [{days}] on the features.customer_snapshot step."
            : $"{what} Only {found} customers had ordered by then: the data must reach further back than {days} days before its end with at least 50 customers, so load more history or lower {setting}.");
    }

    // Each table's timestamps as the reporting zone's wall clock; the last session's zone day is the day of its latest.
    private sealed record LocalTimes(string OrderedAt, string StartedAt, string LastSession, string OccurredAt, string CreatedAt, string SolvedAt);

    // One snapshot: every table filtered to rows before the day, windows counted back from it.
    private static string SnapshotSql(CustomerSnapshotParameters p, SqlBuilder q, DateOnly snapshot, LocalTimes local)
    {
        var (orderedAt, startedAt, occurredAt, createdAt, solvedAt) = (local.OrderedAt, local.StartedAt, local.OccurredAt, local.CreatedAt, local.SolvedAt);
        string T(string role) => q.Quote(p.Tables[role]);
        bool Has(string role) => p.Tables.ContainsKey(role);
        var d = q.Bind(Iso(snapshot), DataKind.Date);
        string Back(int n) => q.AddDays(d, (-n).ToString(CultureInfo.InvariantCulture));
        string Days(string earlier) => q.DaysBetween(earlier, d);
        string Count(string condition) => $"sum(CASE WHEN {condition} THEN 1 ELSE 0 END)";
        var ctes = new List<string>
        {
            $"""
            ord AS (
                SELECT customer_id, count(*) AS orders, count(DISTINCT CAST({orderedAt} AS DATE)) AS order_days,
                       min(CAST({orderedAt} AS DATE)) AS first_day, max(CAST({orderedAt} AS DATE)) AS last_day, {q.ExactSum("amount")} AS revenue,
                       {Count($"{orderedAt} >= {Back(30)}")} AS orders_30d, {Count($"{orderedAt} >= {Back(90)}")} AS orders_90d,
                       {Count($"{orderedAt} >= {Back(180)} AND {orderedAt} < {Back(90)}")} AS orders_prior_90d,
                       {q.ExactSum($"CASE WHEN {orderedAt} >= {Back(90)} THEN amount ELSE 0 END")} AS revenue_90d,
                       {q.ExactSum($"CASE WHEN {orderedAt} >= {Back(180)} AND {orderedAt} < {Back(90)} THEN amount ELSE 0 END")} AS revenue_prior_90d,
                       {q.ExactSum("coalesce(discount, 0)")} AS discount, {Count("refunded > 0")} AS refunded_orders
                FROM {T("orders")} WHERE customer_id IS NOT NULL AND {orderedAt} < {d} GROUP BY customer_id)
            """,
        };
        var joins = new List<string>();
        if (Has("sessions"))
        {
            ctes.Add($"""
                ses AS (
                    SELECT customer_id, {Count($"{startedAt} >= {Back(7)}")} AS s7, {Count($"{startedAt} >= {Back(30)}")} AS s30,
                           {Count($"{startedAt} >= {Back(60)} AND {startedAt} < {Back(30)}")} AS s_prior30, {Count($"{startedAt} >= {Back(90)}")} AS s90,
                           max(started_at) AS last_session, count(DISTINCT CASE WHEN {startedAt} >= {Back(90)} THEN channel END) AS channels
                    FROM {T("sessions")} WHERE {startedAt} < {d} GROUP BY customer_id)
                """);
            joins.Add("LEFT JOIN ses ON ses.customer_id = ord.customer_id");
        }
        if (Has("emails"))
        {
            ctes.Add($"""
                mail AS (
                    SELECT customer_id, {Count($"{occurredAt} >= {Back(30)}")} AS e30, {Count($"{occurredAt} >= {Back(60)} AND {occurredAt} < {Back(30)}")} AS e_prior30,
                           count(*) AS e90
                    FROM {T("emails")} WHERE {occurredAt} < {d} AND {occurredAt} >= {Back(90)} GROUP BY customer_id)
                """);
            joins.Add("LEFT JOIN mail ON mail.customer_id = ord.customer_id");
        }
        if (Has("tickets"))
        {
            // Open at the snapshot = not solved before it, whatever its status today; a rating exists once solved.
            var isOpen = $"(solved_at IS NULL OR {solvedAt} >= {d})";
            ctes.Add($"""
                tix AS (
                    SELECT customer_id, {Count($"{createdAt} >= {Back(90)}")} AS t90, {Count(isOpen)} AS open_tickets,
                           max(CASE WHEN {isOpen} THEN {Days(createdAt)} END) AS oldest_open,
                           {Count($"{solvedAt} < {d} AND {solvedAt} >= {Back(90)} AND lower(satisfaction) = 'bad'")} AS bad90
                    FROM {T("tickets")} WHERE {createdAt} < {d} GROUP BY customer_id)
                """);
            joins.Add("LEFT JOIN tix ON tix.customer_id = ord.customer_id");
        }
        string Or(string role, string expression, string otherwise) => Has(role) ? expression : otherwise;
        var frequency = "(ord.order_days - 1)";
        var meanGap = $"CAST({q.DaysBetween("ord.first_day", "ord.last_day")} AS DOUBLE PRECISION) / nullif({frequency}, 0)";
        var select = new[]
        {
            "ord.customer_id", $"{d} AS as_of", $"{Days("ord.first_day")} AS tenure_days", "ord.orders", $"{frequency} AS frequency",
            $"{Days("ord.last_day")} AS recency_days", $"{q.DaysBetween("ord.first_day", "ord.last_day")} AS days_to_last_order", "ord.revenue",
            "ord.revenue / ord.orders AS average_order_value", "ord.orders_30d", "ord.orders_90d", "ord.orders_prior_90d",
            "ord.orders_90d - ord.orders_prior_90d AS orders_trend", "ord.revenue_90d", "ord.revenue_prior_90d",
            $"{meanGap} AS mean_interpurchase_days", $"{Days("ord.last_day")} / ({meanGap}) AS recency_ratio",
            "ord.discount / nullif(ord.revenue + ord.discount, 0) AS discount_share", "ord.refunded_orders",
            "CAST(ord.refunded_orders AS DOUBLE PRECISION) / ord.orders AS refund_share",
            Or("sessions", "coalesce(ses.s7, 0)", "0") + " AS sessions_7d", Or("sessions", "coalesce(ses.s30, 0)", "0") + " AS sessions_30d",
            Or("sessions", "coalesce(ses.s_prior30, 0)", "0") + " AS sessions_prior_30d", Or("sessions", "coalesce(ses.s90, 0)", "0") + " AS sessions_90d",
            Or("sessions", "coalesce(ses.s30, 0) - coalesce(ses.s_prior30, 0)", "0") + " AS sessions_trend",
            Or("sessions", Days(local.LastSession), "NULL") + " AS days_since_last_session", Or("sessions", "coalesce(ses.channels, 0)", "0") + " AS distinct_channels_90d",
            Or("emails", "coalesce(mail.e30, 0)", "0") + " AS emails_opened_30d", Or("emails", "coalesce(mail.e_prior30, 0)", "0") + " AS emails_opened_prior_30d",
            Or("emails", "coalesce(mail.e90, 0)", "0") + " AS emails_opened_90d", Or("emails", "coalesce(mail.e30, 0) - coalesce(mail.e_prior30, 0)", "0") + " AS email_trend",
            Or("tickets", "coalesce(tix.t90, 0)", "0") + " AS tickets_90d", Or("tickets", "coalesce(tix.open_tickets, 0)", "0") + " AS open_tickets",
            Or("tickets", "tix.oldest_open", "NULL") + " AS oldest_open_ticket_days", Or("tickets", "coalesce(tix.bad90, 0)", "0") + " AS bad_ratings_90d",
        };
        return $"SELECT * FROM (WITH {string.Join(",\n", ctes)}\nSELECT {string.Join(",\n       ", select)}\nFROM ord\n{string.Join("\n", joins)}) AS s{snapshot.DayNumber}";
    }
}
