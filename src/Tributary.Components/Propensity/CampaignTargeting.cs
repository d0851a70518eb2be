using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Uplift;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Propensity;

/// <summary>Parameters of <c>activate.campaign_targeting</c>.</summary>
public sealed record CampaignTargetingParameters : IValidatableObject
{
    /// <summary>Most customers to contact.</summary>
    [Description("Most customers to contact. Give budget_count, budget_money or both (the tighter wins).")]
    [Range(1, int.MaxValue)]
    public int? BudgetCount { get; init; }

    /// <summary>Most money to spend on contacts.</summary>
    [Description("Most money to spend on contacts, at contact_cost each.")]
    [Range(0, double.MaxValue)]
    public double? BudgetMoney { get; init; }

    /// <summary>Cost of one contact.</summary>
    [Description("Cost of contacting one customer. Default 0.5.")]
    [Range(0, double.MaxValue)]
    public double ContactCost { get; init; } = 0.5;

    /// <summary>Gross margin on an order.</summary>
    [Description("Gross margin on an order's value. Default 0.3.")]
    [Range(0, 1)]
    public double Margin { get; init; } = 0.3;

    /// <summary>Order value where the customer has none.</summary>
    [Description("Order value used where order_value_column is empty. Default 50.")]
    [Range(0, double.MaxValue)]
    public double DefaultOrderValue { get; init; } = 50;

    /// <summary>Columns of the input.</summary>
    [Description("Input column holding the customer id. Default customer_id.")]
    public string CustomerColumn { get; init; } = "customer_id";

    /// <summary>Uplift column.</summary>
    [Description("Input column holding the estimated uplift (change in P(order) if contacted). Default uplift.")]
    public string UpliftColumn { get; init; } = "uplift";

    /// <summary>Propensity column, for the top-propensity alternative.</summary>
    [Description("Input column holding the purchase probability, for the top-propensity alternative in the summary. Default purchase_probability.")]
    public string PropensityColumn { get; init; } = "purchase_probability";

    /// <summary>Order value column.</summary>
    [Description("Input column holding the expected order value. Default average_order_value.")]
    public string OrderValueColumn { get; init; } = "average_order_value";

    /// <summary>Uplift group column, for the do-not-disturb rule.</summary>
    [Description("Input column holding the uplift group of analytics.uplift. Default uplift_group.")]
    public string GroupColumn { get; init; } = "uplift_group";

    /// <summary>Never contact do-not-disturb customers.</summary>
    [Description("Never contact a customer whose group is do_not_disturb (nor, in any case, one whose expected profit is not positive). Default true.")]
    public bool ExcludeDoNotDisturb { get; init; } = true;

    /// <summary>Contact nobody when the uplift model does not beat random targeting on the holdout.</summary>
    [Description("When the scores say the uplift model does not beat random targeting on the holdout (uplift_beats_random false), choose nobody instead of an audience no better supported than a random one; the summary still values the alternatives. Default false: choose by the estimates and flag it.")]
    public bool RequireSignal { get; init; }

    /// <summary>Input id of the send's holdout scored as of the send, to value the targeting rule on the randomized send.</summary>
    [Description("Input id of the analytics.uplift step (its holdout output is read) or of a table like it (customer_id, treated, converted, uplift, average_order_value, uplift_group): the send's holdout, never used to fit, scored as of the send. The chosen audience is then valued by applying the same rule to those customers (the same share by the same expected profit, positive only, do_not_disturb left out as set) and taking treated minus control among the selected, per contact times the audience's size. Without it the audience is valued by its customers' holdout bins, which overstates an audience picked within bins by order value.")]
    public string? Evaluation { get; init; }

    /// <summary>Input id of the suppression list.</summary>
    [Description("Input id of a suppression list (customer_id): none of them is contacted.")]
    public string? Suppression { get; init; }

    /// <summary>Input id of the contact history.</summary>
    [Description("Input id of the contact history (customer_id, contacted_at), for the frequency cap.")]
    public string? History { get; init; }

    /// <summary>Most contacts within cap_days.</summary>
    [Description("Frequency cap: a customer already contacted this many times within cap_days before contact_day is skipped. Needs history. Default 1.")]
    [Range(1, 1000)]
    public int MaxContacts { get; init; } = 1;

    /// <summary>Days of the frequency cap.</summary>
    [Description("Days the frequency cap looks back. Default 30.")]
    [Range(1, 3650)]
    public int CapDays { get; init; } = 30;

    /// <summary>The day of the contact.</summary>
    [Description("Day of the contact (YYYY-MM-DD), for the frequency cap; the cap's days, and today, are the project's timezone's (tributary.yaml, default UTC). Default (or empty): today.")]
    public string? ContactDay { get; init; }

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (BudgetCount is null && BudgetMoney is null)
            yield return new ValidationResult("give budget_count (most contacts), budget_money (most spend at contact_cost each) or both.", [nameof(BudgetCount)]);
        if (BudgetMoney is not null && ContactCost <= 0)
            yield return new ValidationResult("budget_money needs a positive contact_cost.", [nameof(ContactCost)]);
        if (!string.IsNullOrEmpty(ContactDay) && !DateOnly.TryParseExact(ContactDay, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _))
            yield return new ValidationResult($"contact_day must be a date as YYYY-MM-DD, got '{ContactDay}'.", [nameof(ContactDay)]);
    }
}

/// <summary>
/// Chooses whom to contact to maximize expected incremental profit, uplift × margin × order value − contact cost, within a
/// budget in contacts or money: customers on the suppression list, over the frequency cap or (by default) in the
/// do-not-disturb group are left out, then the rest are taken by expected profit, highest first, while it is positive and
/// the budget lasts. The audience (one row per customer, with rank and expected outcome) goes on to the activation
/// components; a <c>summary</c> output sets its expected incremental conversions and profit beside the alternatives at the
/// same budget: the top-propensity audience and everyone eligible. Inputs: the scores (customer_id, uplift, purchase
/// probability, order value, uplift group), then any of the suppression list, the contact history and the evaluation (analytics.uplift) named in the parameters.
/// <para>
/// The sum of the model's own estimates over the customers it ranks highest is biased upward (the winner's curse), so it
/// is reported as the model's claim only. When the scores carry analytics.uplift's evidence columns (holdout_uplift,
/// holdout_uplift_se, holdout_bin, in_send, uplift_beats_random), each audience is also valued by the observed uplift on
/// the send's holdout of customers estimated alike, with a 95% interval centred at the bins' Agresti–Caffo centres when the
/// scores carry holdout_uplift_centre. Bins are disjoint parts of the holdout, so their variances add; customers outside the
/// send carry the whole send's average, which contains the holdout, so its error is added linearly, the bound for any
/// correlation. That overstates an audience picked within a bin by something that correlates with the true uplift (order
/// value, on the demo), so with <c>evaluation</c> the chosen audience is instead valued by replaying the rule on the send's
/// holdout, scored as of the send: treated minus control among the customers the rule selects there (<see cref="PolicyValue"/>),
/// per contact times the audience's size. The top-propensity audience and everyone eligible are valued by the uplift bins:
/// when propensity and uplift correlate within a bin, the former is biased, and the summary says so. The summary says when
/// the uplift model does not beat random targeting on the holdout.
/// </para>
/// </summary>
public sealed class CampaignTargeting : IComponent<CampaignTargetingParameters>
{
    /// <inheritdoc />
    public static string TypeName => "activate.campaign_targeting";
    /// <inheritdoc />
    public static string Description => "Choose a campaign audience within a budget by expected incremental profit (uplift × margin × order value − cost), with suppression, frequency cap and do-not-disturb.";
    /// <inheritdoc />
    public static InputArity Inputs => new(1, 4);
    /// <inheritdoc />
    public static bool ReadsTimeZone => true;

    private static readonly (string, DataKind)[] MainColumns =
    [
        ("customer_id", DataKind.Text), ("rank", DataKind.Integer), ("uplift", DataKind.Number), ("purchase_probability", DataKind.Number), ("order_value", DataKind.Number),
        ("expected_incremental_revenue", DataKind.Number), ("expected_profit", DataKind.Number), ("uplift_group", DataKind.Text),
        ("holdout_uplift", DataKind.Number), ("in_send", DataKind.Boolean),
    ];
    private static readonly (string, DataKind)[] SummaryColumns =
    [
        ("strategy", DataKind.Text), ("contacts", DataKind.Integer), ("expected_incremental_conversions", DataKind.Number), ("expected_incremental_revenue", DataKind.Number),
        ("contact_cost", DataKind.Number), ("expected_profit", DataKind.Number), ("detail", DataKind.Text),
        ("holdout_incremental_conversions", DataKind.Number), ("holdout_conversions_low", DataKind.Number), ("holdout_conversions_high", DataKind.Number),
        ("holdout_profit", DataKind.Number), ("holdout_profit_low", DataKind.Number), ("holdout_profit_high", DataKind.Number), ("outside_send", DataKind.Integer),
    ];
    private static readonly string[] EvidenceColumns = ["holdout_uplift", "holdout_uplift_se", "holdout_bin", "in_send", "uplift_beats_random"];
    internal static readonly DeclaredOutput SummaryOutput = new("summary", OutputRole.Diagnostics,
        "Expected outcome: the chosen audience beside the top-propensity audience of the same size and everyone eligible, and who was left out and why.", Standardize.Schema.Of(SummaryColumns));

    /// <inheritdoc />
    public ComponentPlan Plan(CampaignTargetingParameters p, PlanContext context)
    {
        var requires = new List<ColumnRequirement>
        {
            new(0, p.CustomerColumn, []),
            new(0, p.UpliftColumn, [DataKind.Number, DataKind.Integer], "Set uplift_column to the uplift of analytics.uplift."),
            new(0, p.PropensityColumn, [DataKind.Number, DataKind.Integer], "Set propensity_column to the purchase_probability of analytics.propensity."),
            new(0, p.OrderValueColumn, [DataKind.Number, DataKind.Integer], "Set order_value_column to a numeric order value."),
            new(0, p.GroupColumn, [DataKind.Text], "Set group_column to the uplift_group of analytics.uplift."),
        };
        var index = context.Inputs.Select(i => i.Id).ToList();
        if (p.Evaluation is { } e) Index(index, e, "evaluation");
        if (p.Suppression is { } s) requires.Add(new ColumnRequirement(Index(index, s, "suppression"), "customer_id", [], "The suppression list needs customer_id."));
        if (p.History is { } h)
        {
            requires.Add(new ColumnRequirement(Index(index, h, "history"), "customer_id", [], "The contact history needs customer_id and contacted_at."));
            requires.Add(new ColumnRequirement(Index(index, h, "history"), "contacted_at", [DataKind.Date, DataKind.Timestamp], "The contact history needs customer_id and contacted_at."));
        }
        return new ComponentPlan(Standardize.Schema.Of(MainColumns), requires) { SideOutputs = [SummaryOutput] };
    }

    private static int Index(List<string> inputs, string id, string role)
    {
        var i = inputs.IndexOf(id);
        return i > 0 ? i : throw new PlanException($"{role}: '{id}' is not one of the step's inputs after the scores; add it, e.g. inputs: [{string.Join(", ", inputs.Take(1).Append(id))}].");
    }

    private sealed record Candidate(string Customer, double Uplift, double Propensity, double OrderValue, string? Group)
    {
        public double Revenue(double margin) => Uplift * OrderValue * margin;
        public Evidence? Evidence { get; init; }
    }

    // Observed uplift on the holdout of customers estimated alike, from analytics.uplift.
    private sealed record Evidence(double Uplift, double Centre, double StandardError, long Bin, bool InSend, bool Signal);

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(CampaignTargetingParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var candidates = new List<Candidate>();
        var schema = await w.DescribeTableAsync(context.Inputs[0], cancellationToken).ConfigureAwait(false);
        var hasEvidence = schema is not null && EvidenceColumns.All(c => schema.Find(c) is not null);
        // Older scores have no centre: their intervals are centred at the raw bin uplift.
        var centreColumn = hasEvidence && schema!.Find("holdout_uplift_centre") is not null ? "holdout_uplift_centre" : "holdout_uplift";
        var evidenceSql = hasEvidence
            ? $""", CAST({q.Quote("holdout_uplift")} AS DOUBLE PRECISION), CAST({q.Quote("holdout_uplift_se")} AS DOUBLE PRECISION), CAST({q.Quote("holdout_bin")} AS BIGINT), {q.Quote("in_send")}, {q.Quote("uplift_beats_random")}, CAST({q.Quote(centreColumn)} AS DOUBLE PRECISION)"""
            : "";
        var sql = $"""
            SELECT CAST({q.Quote(p.CustomerColumn)} AS VARCHAR), CAST({q.Quote(p.UpliftColumn)} AS DOUBLE PRECISION), CAST({q.Quote(p.PropensityColumn)} AS DOUBLE PRECISION),
                   CAST({q.Quote(p.OrderValueColumn)} AS DOUBLE PRECISION), CAST({q.Quote(p.GroupColumn)} AS VARCHAR){evidenceSql}
            FROM {q.Quote(context.Inputs[0])} WHERE {q.Quote(p.CustomerColumn)} IS NOT NULL AND {q.Quote(p.UpliftColumn)} IS NOT NULL ORDER BY {w.Dialect.ByteOrder($"CAST({q.Quote(p.CustomerColumn)} AS VARCHAR)")}
            """;
        await foreach (var r in w.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
            candidates.Add(new Candidate((string)r[0]!, D(r[1]), r[2] is null ? 0 : D(r[2]), r[3] is null ? p.DefaultOrderValue : D(r[3]), r[4] as string)
            {
                Evidence = hasEvidence && r[5] is not null && r[6] is not null && r[7] is not null && r[10] is not null
                    ? new Evidence(D(r[5]), D(r[10]), D(r[6]), Convert.ToInt64(r[7], CultureInfo.InvariantCulture), r[8] is true, r[9] is true) : null,
            });
        var suppressed = p.Suppression is { } s ? await CustomersAsync($"SELECT DISTINCT CAST(customer_id AS VARCHAR) FROM {q.Quote(s)} WHERE customer_id IS NOT NULL", null, w, cancellationToken).ConfigureAwait(false) : [];
        var capped = new HashSet<string>(StringComparer.Ordinal);
        if (p.History is { } h)
        {
            // Today and the cap's days are the reporting zone's, so an evening contact counts on the day it was made there.
            var day = string.IsNullOrEmpty(p.ContactDay) ? ReportingZone.Day(context.Time.GetUtcNow().UtcDateTime, context.TimeZone)
                : DateOnly.ParseExact(p.ContactDay, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var hq = new SqlBuilder(w.Dialect);
            var contactedAt = hq.Local("contacted_at", await ReportingZone.KindAsync(context, h, "contacted_at", cancellationToken).ConfigureAwait(false), context.TimeZone);
            capped = await CustomersAsync($"""
                SELECT CAST(customer_id AS VARCHAR) FROM {hq.Quote(h)}
                WHERE customer_id IS NOT NULL AND {contactedAt} >= {hq.Bind(day.AddDays(-p.CapDays).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), DataKind.Date)}
                  AND {contactedAt} < {hq.Bind(day.AddDays(1).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), DataKind.Date)}
                GROUP BY customer_id HAVING count(*) >= {hq.Bind(p.MaxContacts)}
                """, hq.Parameters, w, cancellationToken).ConfigureAwait(false);
        }
        var eligible = candidates.Where(c => !suppressed.Contains(c.Customer) && !capped.Contains(c.Customer)).ToList();
        var limit = Math.Min(p.BudgetCount ?? int.MaxValue, p.BudgetMoney is { } money ? (int)Math.Min(int.MaxValue, Math.Floor(money / p.ContactCost + 1e-9)) : int.MaxValue);
        var signal = hasEvidence ? candidates.FirstOrDefault(c => c.Evidence is not null)?.Evidence?.Signal : null;
        if (p.RequireSignal && signal is false) limit = 0;
        var chosen = eligible.Where(c => !(p.ExcludeDoNotDisturb && c.Group == "do_not_disturb"))
            .Select(c => (Candidate: c, Profit: c.Revenue(p.Margin) - p.ContactCost)).Where(c => c.Profit > 0)
            .OrderByDescending(c => c.Profit).ThenBy(c => c.Candidate.Customer, StringComparer.Ordinal).Take(limit).ToList();
        var rows = chosen.Select((c, k) => new object?[]
            {
                c.Candidate.Customer, (long)(k + 1), c.Candidate.Uplift, c.Candidate.Propensity, c.Candidate.OrderValue, c.Candidate.Uplift * c.Candidate.OrderValue, c.Profit, c.Candidate.Group,
                c.Candidate.Evidence?.Uplift, c.Candidate.Evidence?.InSend,
            }).ToList();

        var replay = p.Evaluation is { } evaluation ? await ReplayAsync(p, context, evaluation, chosen.Count,
            chosen.Count(c => c.Candidate.Evidence?.InSend ?? true), eligible.Count(c => c.Evidence?.InSend ?? true), cancellationToken).ConfigureAwait(false) : null;
        object?[] Outcome(string strategy, IReadOnlyCollection<Candidate> audience, string detail, Replay? replayed = null)
        {
            var cost = audience.Count * p.ContactCost;
            var claim = new object?[] { strategy, (long)audience.Count, audience.Sum(c => c.Uplift), audience.Sum(c => c.Uplift * c.OrderValue), cost, audience.Sum(c => c.Revenue(p.Margin)) - cost, detail };
            long? outside = hasEvidence && audience.All(c => c.Evidence is not null) ? audience.Count(c => !c.Evidence!.InSend) : null;
            // An arm with nobody selected leaves the rule unvalued: null, not NaN.
            if (replayed is { } r)
                return [.. claim, Finite(r.Conversions), Finite(r.ConversionsLow), Finite(r.ConversionsHigh), Finite(r.Profit - cost), Finite(r.ProfitLow - cost), Finite(r.ProfitHigh - cost), outside];
            if (!hasEvidence || audience.Any(c => c.Evidence is null)) return [.. claim, null, null, null, null, null, null, null];
            var conversions = Valued(audience, _ => 1);
            var profit = Valued(audience, c => c.OrderValue * p.Margin);
            return [.. claim, conversions.Value, conversions.Centre - 1.96 * conversions.Error, conversions.Centre + 1.96 * conversions.Error,
                profit.Value - cost, profit.Centre - cost - 1.96 * profit.Error, profit.Centre - cost + 1.96 * profit.Error, (long)audience.Count(c => !c.Evidence!.InSend)];
        }
        var topPropensity = eligible.OrderByDescending(c => c.Propensity).ThenBy(c => c.Customer, StringComparer.Ordinal).Take(chosen.Count).ToList();
        var summary = new List<object?[]>
        {
            Outcome("uplift_targeted", chosen.Select(c => c.Candidate).ToList(), replay is { } rule
                ? $"highest expected incremental profit first, positive only; valued by the same rule on the send's holdout: {rule.Selected:N0} of its {rule.Holdout:N0} customers selected ({rule.Treated:N0} treated, {rule.Control:N0} control), treated minus control per contact times {chosen.Count:N0}"
                : "highest expected incremental profit first, positive only", replay),
            Outcome("top_propensity", topPropensity, hasEvidence
                ? "the same number of contacts, highest purchase probability first; valued by the uplift bins of its customers, biased when purchase probability and uplift correlate within a bin"
                : "the same number of contacts, highest purchase probability first"),
            Outcome("everyone", eligible, "every eligible customer"),
            Note("excluded_suppression", candidates.Count(c => suppressed.Contains(c.Customer)), "on the suppression list"),
            Note("excluded_frequency_cap", candidates.Count(c => capped.Contains(c.Customer) && !suppressed.Contains(c.Customer)),
                $"already contacted {p.MaxContacts} or more times within {p.CapDays} days"),
            Note("excluded_do_not_disturb", p.ExcludeDoNotDisturb ? eligible.Count(c => c.Group == "do_not_disturb") : 0, "in the do_not_disturb group"),
        };
        if (signal is { } beats)
            summary.Add(Note("uplift_signal", beats ? 1 : 0, beats
                ? "the uplift model beats random targeting on the holdout"
                : "the uplift model does not beat random targeting on the holdout; expected figures are not reliable"));
        var written = await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(MainColumns, rows, ct)),
            new TableWrite(context.Output(SummaryOutput.Name), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(SummaryColumns, summary, ct)),
        ], cancellationToken).ConfigureAwait(false);
        if (summary[0][7] is double observed && hasEvidence)
        {
            context.Log($"chose {rows.Count:N0} of {eligible.Count:N0} eligible customers: on the send's holdout, {(replay is { } r ? $"the same rule applied to its customers ({r.Selected:N0} selected, {r.Treated:N0} treated and {r.Control:N0} control) gives" : "customers estimated alike gained")} {observed:0.0} incremental conversions " +
                $"(95% interval {summary[0][8]:0.0} to {summary[0][9]:0.0}) and profit {summary[0][10]:0.00} ({summary[0][11]:0.00} to {summary[0][12]:0.00}), " +
                $"against {summary[1][7]:0.0} ({summary[1][8]:0.0} to {summary[1][9]:0.0}) conversions for the top-propensity audience (valued by its customers' uplift bins, biased when purchase probability and uplift correlate within a bin); " +
                $"the model's own estimates claim {summary[0][2]:0.0} and {summary[1][2]:0.0} (biased upward for the customers it ranks first)");
            if ((long)summary[0][13]! > 0)
                context.Log(replay is null
                    ? $"{(long)summary[0][13]!:N0} of the {rows.Count:N0} chosen were not in the send: they carry its average effect, not evidence of their own"
                    : $"{(long)summary[0][13]!:N0} of the {rows.Count:N0} chosen were not in the send: they are valued at the rule's lift per contact on the send, which assumes they respond like its customers");
            if (signal is false && p.RequireSignal)
                context.Log("warning: the uplift model does not beat random targeting on the holdout, and require_signal is set: nobody is chosen");
            else if (signal is false)
                context.Log("warning: the uplift model does not beat random targeting on the holdout; expected figures are not reliable, and the audience is no better supported than a random one");
        }
        else
            context.Log($"chose {rows.Count:N0} of {eligible.Count:N0} eligible customers: the model's estimates claim {(double)summary[0][2]!:0.0} incremental conversions and profit {(double)summary[0][5]!:0.00}, against {(double)summary[1][2]!:0.0} and {(double)summary[1][5]!:0.00} for the top-propensity audience; the scores carry no holdout evidence to check it");
        return new Materialization(written[0], new Dictionary<string, object?>
        {
            ["contacts"] = rows.Count, ["model_claimed_profit"] = summary[0][5], ["model_claimed_incremental_conversions"] = summary[0][2],
            ["holdout_incremental_conversions"] = summary[0][7], ["holdout_conversions_low"] = summary[0][8], ["holdout_conversions_high"] = summary[0][9],
            ["holdout_profit"] = summary[0][10], ["outside_send"] = summary[0][13], ["holdout_selected"] = replay?.Selected, ["uplift_beats_random"] = signal, ["summary_table"] = context.Output(SummaryOutput.Name),
        });
    }

    // The rule's lift per contact on the send's holdout, scaled to the audience's size.
    private sealed record Replay(int Holdout, int Selected, int Treated, int Control, double Conversions, double ConversionsLow, double ConversionsHigh,
        double Profit, double ProfitLow, double ProfitHigh);

    private static readonly string[] ReplayColumns = ["customer_id", "treated", "converted", "uplift", "average_order_value", "uplift_group"];

    // The targeting rule applied to the send's holdout: the share it took of the eligible customers of the send, by the same
    // expected profit (a share of a ranking, since scores drift between the send and now), positive only, do-not-disturb as set.
    private static async Task<Replay> ReplayAsync(CampaignTargetingParameters p, ComponentContext context, string input, int audience,
        int chosenInSend, int eligibleInSend, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var q = new SqlBuilder(w.Dialect);
        var table = context.InputOutputs.TryGetValue(input, out var outputs) && outputs.Any(o => o.Output.Name == UpliftModelling.HoldoutOutput.Name)
            ? context.InputOutput(input, UpliftModelling.HoldoutOutput.Name) : input;
        var schema = await w.DescribeTableAsync(table, cancellationToken).ConfigureAwait(false);
        var missing = ReplayColumns.Where(c => schema?.Find(c) is null).ToList();
        if (missing.Count > 0)
            throw new InputDataException($"evaluation: table '{table}' lacks {string.Join(", ", missing)}; set evaluation to the analytics.uplift step, whose holdout output has {string.Join(", ", ReplayColumns)}.");
        var sql = $"""
            SELECT CAST(customer_id AS VARCHAR), treated, converted, CAST(uplift AS DOUBLE PRECISION), CAST(average_order_value AS DOUBLE PRECISION), CAST(uplift_group AS VARCHAR)
            FROM {q.Quote(table)} WHERE customer_id IS NOT NULL AND treated IS NOT NULL AND converted IS NOT NULL AND uplift IS NOT NULL ORDER BY {w.Dialect.ByteOrder("CAST(customer_id AS VARCHAR)")}
            """;
        var rows = new List<(string Id, bool Treated, bool Converted, double Profit, double Value, bool Allowed)>();
        await foreach (var r in w.StreamAsync(sql, null, cancellationToken).ConfigureAwait(false))
        {
            var value = (r[4] is null ? p.DefaultOrderValue : D(r[4])) * p.Margin;
            rows.Add(((string)r[0]!, r[1] is true, r[2] is true, D(r[3]) * value - p.ContactCost, value, !(p.ExcludeDoNotDisturb && r[5] as string == "do_not_disturb")));
        }
        if (audience == 0) return new Replay(rows.Count, 0, 0, 0, 0, 0, 0, 0, 0, 0);
        var share = eligibleInSend > 0 ? (double)chosenInSend / eligibleInSend : 0;
        var take = (int)Math.Round(share * rows.Count, MidpointRounding.AwayFromZero);
        var picked = rows.Select((r, i) => (r, i)).Where(x => x.r.Allowed && x.r.Profit > 0)
            .OrderByDescending(x => x.r.Profit).ThenBy(x => x.r.Id, StringComparer.Ordinal).Take(take).Select(x => x.i).ToHashSet();
        var selected = rows.Select((_, i) => picked.Contains(i)).ToArray();
        var lift = PolicyValue.Of(selected, rows.Select(r => r.Treated).ToArray(), rows.Select(r => r.Converted).ToArray(), rows.Select(r => r.Value).ToArray());
        var c = lift.Conversions;
        return new Replay(rows.Count, picked.Count, c.Treated, c.Control, audience * c.Uplift, audience * c.Low(), audience * c.High(),
            audience * lift.ValueLift, audience * (lift.ValueLift - 1.96 * lift.ValueStandardError), audience * (lift.ValueLift + 1.96 * lift.ValueStandardError));
    }

    private static async Task<HashSet<string>> CustomersAsync(string sql, IReadOnlyList<object?>? parameters, IWarehouse w, CancellationToken cancellationToken)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var r in w.StreamAsync(sql, parameters, cancellationToken).ConfigureAwait(false)) set.Add((string)r[0]!);
        return set;
    }

    private static object?[] Note(string strategy, int count, string detail) => [strategy, (long)count, null, null, null, null, detail, null, null, null, null, null, null, null];

    // Σ weight·holdout uplift, its interval centre and standard error. Bins 1.. are disjoint parts of the holdout, so
    // their variances add; bin 0, the send's average, contains the holdout, so its error is added linearly, since
    // sd(A + B) ≤ sd(A) + sd(B) whatever their correlation.
    private static (double Value, double Centre, double Error) Valued(IEnumerable<Candidate> audience, Func<Candidate, double> weight)
    {
        double value = 0, centre = 0, variance = 0, sendAverage = 0;
        foreach (var bin in audience.GroupBy(c => c.Evidence!.Bin))
        {
            var w = bin.Sum(weight);
            value += bin.Sum(c => weight(c) * c.Evidence!.Uplift);
            centre += bin.Sum(c => weight(c) * c.Evidence!.Centre);
            var se = bin.First().Evidence!.StandardError;
            if (bin.Key == 0) sendAverage += Math.Abs(w) * se;
            else variance += w * w * se * se;
        }
        return (value, centre, Math.Sqrt(variance) + sendAverage);
    }

    private static double? Finite(double value) => double.IsFinite(value) ? value : null;

    private static double D(object? value) => Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
