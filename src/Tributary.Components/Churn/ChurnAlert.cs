using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Components.Features;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Churn;

/// <summary>Parameters of <c>alert.churn</c>.</summary>
public sealed record ChurnAlertParameters : IValidatableObject
{
    /// <summary>Risk bands alerted.</summary>
    [Description("Alert customers in these risk bands of analytics.churn (by default the top decile of churn probability). Default [high].")]
    public IReadOnlyList<string> RiskBands { get; init; } = ["high"];

    /// <summary>Lowest probability alerted.</summary>
    [Description("Alert only customers whose churn probability is also at least this, a floor under the bands (0: none). Default 0.")]
    [Range(0, 1)]
    public double Threshold { get; init; }

    /// <summary>Most contacts per run.</summary>
    [Description("At most this many alerts per run, the highest value at risk first (probability when there is no value). Default: no limit.")]
    [Range(1, 10_000_000)]
    public int? Budget { get; init; }

    /// <summary>Days before a customer may be alerted again.</summary>
    [Description("No customer is alerted twice within this many days; the alert history output remembers who was alerted when. Default 30.")]
    [Range(0, 3650)]
    public int CooldownDays { get; init; } = 30;

    /// <summary>Action per reason code.</summary>
    [Description("Action per reason code, overriding the default playbook (recency: winback_offer, order_decline: replenishment_reminder, low_frequency: second_purchase_incentive, browsing_decline: personalized_recommendations, email_disengaged: switch_channel_sms, support_issue: support_callback, discount_refund: quality_follow_up, model_signal (no story holds): personal_check_in).")]
    public IReadOnlyDictionary<string, string> Playbook { get; init; } = new Dictionary<string, string>();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var code in Playbook.Keys.Where(k => !ChurnReasons.Codes.Contains(k)))
            yield return new ValidationResult($"playbook: unknown reason '{code}'. Reasons: {string.Join(", ", ChurnReasons.Codes)}.", [nameof(Playbook)]);
        if (RiskBands.Count == 0)
            yield return new ValidationResult("risk_bands is empty: name the bands to alert, e.g. [high] or [high, medium].", [nameof(RiskBands)]);
        foreach (var band in RiskBands.Where(b => b is not ("high" or "medium" or "low")))
            yield return new ValidationResult($"risk_bands: unknown band '{band}'. Bands: high, medium, low.", [nameof(RiskBands)]);
    }
}

/// <summary>
/// High-risk churn alerts from <c>analytics.churn</c>: customers in the alerted risk bands (and at or above an optional
/// probability floor), at most a budget of them by
/// value at risk, each with the playbook action for their top reason, skipping anyone alerted within the cooldown. The
/// history output keeps every alert (re-running the same day replaces that day's alerts), so activation steps
/// downstream (audience file, table, webhook) only ever see new contacts.
/// </summary>
public sealed class ChurnAlert : IComponent<ChurnAlertParameters>
{
    /// <inheritdoc />
    public static string TypeName => "alert.churn";
    /// <inheritdoc />
    public static string Description => "Alert high-risk customers with a playbook action per reason, within a budget, never twice within a cooldown.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    internal static readonly IReadOnlyDictionary<string, string> DefaultPlaybook = new Dictionary<string, string>
    {
        ["recency"] = "winback_offer", ["order_decline"] = "replenishment_reminder", ["low_frequency"] = "second_purchase_incentive",
        ["browsing_decline"] = "personalized_recommendations", ["email_disengaged"] = "switch_channel_sms", ["support_issue"] = "support_callback",
        ["discount_refund"] = "quality_follow_up", [ChurnReasons.ModelSignal] = "personal_check_in",
    };

    private static readonly string[] ScoreColumns = ["customer_id", "as_of", "churn_probability", "value_at_risk", "risk_band", "reason_code", "reason"];
    private const string NoReasonAction = "personal_check_in";

    private static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("customer_id", DataKind.Text), ("alerted_on", DataKind.Date), ("churn_probability", DataKind.Number), ("value_at_risk", DataKind.Number),
        ("risk_band", DataKind.Text), ("reason_code", DataKind.Text), ("reason", DataKind.Text), ("action", DataKind.Text),
    ];
    internal static readonly DeclaredOutput HistoryOutput = new("history", OutputRole.Detail,
        "Every alert ever sent: customer, day, probability, value at risk, reason and action; the cooldown reads it.", Standardize.Schema.Of(Columns));

    /// <inheritdoc />
    public ComponentPlan Plan(ChurnAlertParameters p, PlanContext context) =>
        new(Standardize.Schema.Of(Columns),
            ScoreColumns.Select(c => new ColumnRequirement(0, c, [], "The input must be an analytics.churn table.")).ToList())
        { SideOutputs = [HistoryOutput] };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ChurnAlertParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var input = q.Quote(context.Inputs[0]);
        var historyTable = context.Output(HistoryOutput.Name);
        var history = new List<object?[]>();
        if (await w.DescribeTableAsync(historyTable, cancellationToken).ConfigureAwait(false) is not null)
            await foreach (var r in w.StreamAsync($"SELECT {string.Join(", ", Columns.Select(c => q.Quote(c.Name)))} FROM {q.Quote(historyTable)}", null, cancellationToken).ConfigureAwait(false))
                history.Add(r);
        var sql = $"""
            SELECT CAST(customer_id AS VARCHAR), as_of, churn_probability, value_at_risk, risk_band, reason_code, reason FROM {input}
            WHERE churn_probability >= {q.Bind(p.Threshold, DataKind.Number)} AND risk_band IN ({q.BindList(p.RiskBands, DataKind.Text)})
            ORDER BY coalesce(value_at_risk, churn_probability) DESC, churn_probability DESC, {w.Dialect.ByteOrder("CAST(customer_id AS VARCHAR)")}
            """;
        var candidates = new List<object?[]>();
        await foreach (var r in w.StreamAsync(sql, q.Parameters, cancellationToken).ConfigureAwait(false)) candidates.Add(r);
        if (candidates.Count == 0)
        {
            context.Log($"no customer in risk band {string.Join(" or ", p.RiskBands)} at or above churn probability {p.Threshold}");
            return new Materialization(await WriteAsync(context, [], history, cancellationToken).ConfigureAwait(false), new Dictionary<string, object?> { ["alerts"] = 0L });
        }
        var today = (DateOnly)candidates[0][1]!;
        // A re-run of the same day replaces that day's alerts; earlier alerts within the cooldown block a new one.
        history.RemoveAll(h => (DateOnly)h[1]! == today);
        var cooling = history.Where(h => (DateOnly)h[1]! < today && (DateOnly)h[1]! >= today.AddDays(-p.CooldownDays)).Select(h => (string)h[0]!).ToHashSet(StringComparer.Ordinal);
        var alerts = new List<object?[]>();
        var skipped = 0;
        foreach (var c in candidates)
        {
            if (cooling.Contains((string)c[0]!)) { skipped++; continue; }
            if (p.Budget is { } budget && alerts.Count >= budget) break;
            var code = c[5] as string is { Length: > 0 } known ? known : null;
            var action = code is null ? NoReasonAction : p.Playbook.GetValueOrDefault(code) ?? DefaultPlaybook.GetValueOrDefault(code) ?? NoReasonAction;
            alerts.Add([c[0], today, c[2], c[3], c[4], code, c[6], action]);
        }
        var rows = await WriteAsync(context, alerts, history, cancellationToken).ConfigureAwait(false);
        context.Log($"{alerts.Count:N0} alerts on {CustomerSnapshot.Iso(today)}; {skipped:N0} skipped as alerted within {p.CooldownDays} days");
        return new Materialization(rows, new Dictionary<string, object?>
        {
            ["alerts"] = (long)alerts.Count, ["skipped_cooldown"] = (long)skipped, ["alerted_on"] = today.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        });
    }

    private static async Task<long> WriteAsync(ComponentContext context, List<object?[]> alerts, List<object?[]> history, CancellationToken cancellationToken)
    {
        var all = history.Concat(alerts).ToList();
        var written = await context.Warehouse.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(Columns, alerts, ct)),
            new TableWrite(context.Output(HistoryOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(Columns, all, ct)),
        ], cancellationToken).ConfigureAwait(false);
        return written[0];
    }
}
