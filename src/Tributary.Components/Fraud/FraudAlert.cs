using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Fraud;

/// <summary>Parameters of <c>alert.fraud</c>.</summary>
public sealed record FraudAlertParameters
{
    /// <summary>Lowest decision alerted on.</summary>
    [Description("Alert on transactions whose decision is this or worse: review (review and block) or block. Default review.")]
    [AllowedValues("review", "block")]
    public string MinDecision { get; init; } = "review";

    /// <summary>Deduplication window.</summary>
    [Description("One alert per card and per profile within this window: a flagged transaction whose card or profile already has an alert opened less than this long before joins that alert instead. Default 1h.")]
    public TimeSpan Window { get; init; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Deduplicated fraud alerts from <c>analytics.risk_score</c>: flagged transactions in time order, each opening an alert
/// unless its card or profile already has one opened within the window (then it is counted in that alert, whose score
/// becomes the highest seen). The history output keeps every alert ever raised, so the main output (what activation
/// steps downstream, table or webhook, send) holds only alerts not raised by an earlier run.
/// </summary>
public sealed class FraudAlert : IComponent<FraudAlertParameters>
{
    /// <inheritdoc />
    public static string TypeName => "alert.fraud";
    /// <inheritdoc />
    public static string Description => "Deduplicated fraud alerts (one per card or profile per window) from risk scores, new ones only, for table or webhook activation.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    internal static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("alert_id", DataKind.Text), ("opened_at", DataKind.Timestamp), ("transaction_id", DataKind.Text), ("profile_id", DataKind.Text),
        ("card_fingerprint", DataKind.Text), ("email", DataKind.Text), ("risk_score", DataKind.Number), ("decision", DataKind.Text),
        ("reasons", DataKind.Text), ("transactions", DataKind.Integer), ("amount", DataKind.Number),
    ];
    internal static readonly DeclaredOutput HistoryOutput = new("history", OutputRole.Detail,
        "Every fraud alert ever raised; a later run sends only alerts not in it.", Standardize.Schema.Of(Columns));
    private static readonly string[] Needs = ["transaction_id", "created_at", "profile_id", "card_fingerprint", "email", "amount", "risk_score", "decision", "reasons"];

    /// <inheritdoc />
    public ComponentPlan Plan(FraudAlertParameters p, PlanContext context) =>
        new(Standardize.Schema.Of(Columns), Needs.Select(c => new ColumnRequirement(0, c, [], "The input must be an analytics.risk_score output.")).ToList())
        { SideOutputs = [HistoryOutput], MainDescription = "One row per new alert: the first flagged transaction, the highest score and how many flagged transactions it covers." };

    private sealed class Open(object?[] row, DateTime at)
    {
        public object?[] Row { get; } = row;
        public DateTime At { get; } = at;
    }

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(FraudAlertParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var decisions = p.MinDecision == "block" ? new[] { "block" } : ["review", "block"];
        var sql = $"""
            SELECT CAST(transaction_id AS VARCHAR), created_at, CAST(profile_id AS VARCHAR), CAST(card_fingerprint AS VARCHAR), CAST(email AS VARCHAR),
                   CAST(risk_score AS DOUBLE PRECISION), decision, reasons, CAST(amount AS DOUBLE PRECISION)
            FROM {q.Quote(context.Inputs[0])} WHERE decision IN ({q.BindList(decisions, DataKind.Text)}) AND created_at IS NOT NULL
            ORDER BY created_at, {w.Dialect.ByteOrder("CAST(transaction_id AS VARCHAR)")}
            """;
        var alerts = new List<object?[]>();
        var openByKey = new Dictionary<string, Open>(StringComparer.Ordinal);
        var flagged = 0;
        await foreach (var r in w.StreamAsync(sql, q.Parameters, cancellationToken).ConfigureAwait(false))
        {
            flagged++;
            var at = Convert.ToDateTime(r[1], CultureInfo.InvariantCulture);
            var keys = new[] { r[2] is string profile ? $"p:{profile}" : null, r[3] is string card ? $"c:{card}" : null }.OfType<string>().ToList();
            var open = keys.Select(k => openByKey.GetValueOrDefault(k)).FirstOrDefault(o => o is not null && at - o.At < p.Window);
            if (open is not null)
            {
                open.Row[9] = (long)open.Row[9]! + 1;
                if ((double)r[5]! > (double)open.Row[6]!) (open.Row[6], open.Row[7], open.Row[8]) = (r[5], r[6], r[7]);
                open.Row[10] = (double)open.Row[10]! + ((double?)r[8] ?? 0);
                // The alert covers the key seen here too (a card used by the flagged profile).
                foreach (var k in keys) openByKey.TryAdd(k, open);
                continue;
            }
            var row = new object?[] { $"fa_{r[0]}", at, r[0], r[2], r[3], r[4], r[5], r[6], r[7], 1L, (double?)r[8] ?? 0 };
            alerts.Add(row);
            var created = new Open(row, at);
            foreach (var k in keys) openByKey[k] = created;
        }
        var historyTable = context.Output(HistoryOutput.Name);
        var history = new List<object?[]>();
        if (await w.DescribeTableAsync(historyTable, cancellationToken).ConfigureAwait(false) is not null)
            await foreach (var r in w.StreamAsync($"SELECT {string.Join(", ", Columns.Select(c => q.Quote(c.Name)))} FROM {q.Quote(historyTable)}", null, cancellationToken).ConfigureAwait(false))
                history.Add(r);
        var raised = history.Select(h => (string)h[0]!).ToHashSet(StringComparer.Ordinal);
        var fresh = alerts.Where(a => !raised.Contains((string)a[0]!)).ToList();
        var written = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(Columns, fresh, ct)),
            new TableWrite(historyTable, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(Columns, history.Concat(fresh), ct)),
        ], cancellationToken).ConfigureAwait(false);
        context.Log($"{flagged:N0} flagged transactions in {alerts.Count:N0} alerts; {fresh.Count:N0} new");
        return new Materialization(written[0], new Dictionary<string, object?> { ["flagged"] = (long)flagged, ["alerts"] = (long)alerts.Count, ["new"] = (long)fresh.Count });
    }
}
