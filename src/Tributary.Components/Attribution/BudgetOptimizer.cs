using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Budget;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Attribution;

/// <summary>What the budget optimizer maximizes.</summary>
public enum BudgetObjective
{
    /// <summary>Attributed conversions.</summary>
    Conversions,
    /// <summary>Attributed revenue.</summary>
    Revenue,
}

/// <summary>Parameters of <c>analytics.budget_optimizer</c>.</summary>
public sealed record BudgetOptimizerParameters : IValidatableObject
{
    /// <summary>What to maximize.</summary>
    [Description("What to maximize: conversions or revenue (as credited by the campaign performance's attribution model). Default conversions.")]
    public BudgetObjective Objective { get; init; } = BudgetObjective.Conversions;

    /// <summary>Daily budget to allocate.</summary>
    [Description("Daily budget to allocate across the channels with spend. Default: the current daily spend (mean over current_days).")]
    [Range(0.01, 1e12)]
    public double? DailyBudget { get; init; }

    /// <summary>Days that define the current allocation.</summary>
    [Description("The last this many days of data define the current allocation (mean daily spend per channel). Default 28.")]
    [Range(1, 3650)]
    public int CurrentDays { get; init; } = 28;

    /// <summary>Per-channel minimum daily spend.</summary>
    [Description("Minimum daily spend per channel, e.g. { paid_search: 100 }. Default none.")]
    [Range(0, 1e12)]
    public IReadOnlyDictionary<string, double> MinSpend { get; init; } = new Dictionary<string, double>();

    /// <summary>Per-channel maximum daily spend.</summary>
    [Description("Maximum daily spend per channel, e.g. { display: 50 }. Default none.")]
    [Range(0, 1e12)]
    public IReadOnlyDictionary<string, double> MaxSpend { get; init; } = new Dictionary<string, double>();

    /// <inheritdoc />
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var (channel, min) in MinSpend)
            if (MaxSpend.TryGetValue(channel, out var max) && max < min)
                yield return new ValidationResult($"max_spend.{channel} ({max.ToString(CultureInfo.InvariantCulture)}) is below min_spend.{channel} ({min.ToString(CultureInfo.InvariantCulture)}).", [nameof(MaxSpend)]);
    }
}

/// <summary>
/// Budget optimization over channels: fits each channel's response curve (geometric adstock and Hill saturation, see
/// <see cref="ResponseCurve"/>) to its daily spend against attributed conversions or revenue, then allocates the daily
/// budget within per-channel bounds so marginal returns are equal (<see cref="BudgetAllocator"/>). One row per channel
/// with the curve, its fit, whether the evidence for it is weak and why, current and recommended spend and response; the totals and expected lift
/// in <c>&lt;id&gt;__summary</c>.
/// </summary>
public sealed class BudgetOptimizer : IComponent<BudgetOptimizerParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.budget_optimizer";
    /// <inheritdoc />
    public static string Description => "Fit adstock + Hill response curves per channel and reallocate the budget to equalize marginal returns.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    private static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("channel", DataKind.Text), ("current_spend", DataKind.Number), ("recommended_spend", DataKind.Number), ("change", DataKind.Number),
        ("current_response", DataKind.Number), ("expected_response", DataKind.Number), ("theta", DataKind.Number), ("beta", DataKind.Number),
        ("kappa", DataKind.Number), ("shape", DataKind.Number), ("half_saturation_spend", DataKind.Number), ("r_squared", DataKind.Number), ("days", DataKind.Integer),
        ("weak_evidence", DataKind.Boolean), ("warning", DataKind.Text),
    ];

    private static readonly (string Name, DataKind Kind)[] SummaryColumns =
    [
        ("objective", DataKind.Text), ("daily_budget", DataKind.Number), ("current_daily_spend", DataKind.Number), ("current_response", DataKind.Number),
        ("expected_response", DataKind.Number), ("lift", DataKind.Number), ("first_day", DataKind.Date), ("last_day", DataKind.Date),
    ];

    private static readonly string[] InputColumns = ["day", "channel", "spend", "conversions", "revenue"];

    /// <inheritdoc />
    public ComponentPlan Plan(BudgetOptimizerParameters parameters, PlanContext context) =>
        new(new TableSchema(Columns.Select(c => new ColumnSchema(c.Name, c.Kind.ToString().ToUpperInvariant(), c.Kind)).ToList()),
            InputColumns.Select(c => new ColumnRequirement(0, c, [])).ToList())
        {
            SideOutputs = [new("summary", OutputRole.Diagnostics, "One row: the budget, current and expected response, lift and the days fitted.", Standardize.Schema.Of(SummaryColumns))],
        };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(BudgetOptimizerParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var response = p.Objective == BudgetObjective.Revenue ? "revenue" : "conversions";
        var daily = new Dictionary<string, SortedDictionary<DateOnly, (double Spend, double Response)>>(StringComparer.Ordinal);
        await foreach (var r in w.StreamAsync($"""
            SELECT channel, CAST(day AS DATE), sum(spend), sum({response}) FROM {w.Dialect.Quote(context.Inputs[0])}
            WHERE day IS NOT NULL AND channel IS NOT NULL GROUP BY 1, 2
            """, null, cancellationToken).ConfigureAwait(false))
        {
            var channel = (string)r[0]!;
            if (!daily.TryGetValue(channel, out var series)) daily[channel] = series = [];
            series[(DateOnly)r[1]!] = (Number(r[2]), Number(r[3]));
        }
        var spending = daily.Where(d => d.Value.Values.Sum(x => x.Spend) > 0).Select(d => d.Key).Order(StringComparer.Ordinal).ToList();
        if (spending.Count == 0) throw new InputDataException($"{context.Inputs[0]} has no channel with spend; there is no budget to optimize.");
        foreach (var name in p.MinSpend.Keys.Concat(p.MaxSpend.Keys).Where(c => !spending.Contains(c)).Distinct())
            throw new ArgumentException($"min_spend/max_spend name channel '{name}', which has no spend in {context.Inputs[0]}. Channels with spend: {string.Join(", ", spending)}.");

        var first = daily.Values.SelectMany(s => s.Keys).Min();
        var last = daily.Values.SelectMany(s => s.Keys).Max();
        var days = Enumerable.Range(0, last.DayNumber - first.DayNumber + 1).Select(first.AddDays).ToList();
        var currentFrom = last.AddDays(1 - p.CurrentDays);
        var channels = new List<BudgetChannel>();
        var fits = new Dictionary<string, ResponseCurveFit>(StringComparer.Ordinal);
        foreach (var name in spending)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var series = daily[name];
            // Days without a row had no spend and no credited response.
            var spend = days.Select(d => series.GetValueOrDefault(d).Spend).ToList();
            var fit = ResponseCurveFitter.Fit(spend, days.Select(d => series.GetValueOrDefault(d).Response).ToList());
            fits[name] = fit;
            if (fit.Warning is { } warning) context.Log($"warning: {name}: {warning}");
            var current = days.Where(d => d >= currentFrom).Average(d => series.GetValueOrDefault(d).Spend);
            channels.Add(new BudgetChannel(name, fit.Curve, current, p.MinSpend.GetValueOrDefault(name), p.MaxSpend.GetValueOrDefault(name, double.PositiveInfinity)));
        }
        var currentTotal = channels.Sum(c => c.CurrentSpend);
        var budget = p.DailyBudget ?? currentTotal;
        var allocation = BudgetAllocator.Allocate(channels, budget);

        var rows = channels.Select(c =>
        {
            var fit = fits[c.Name];
            var recommended = allocation.Spend[c.Name];
            return new object?[]
            {
                c.Name, c.CurrentSpend, recommended, recommended - c.CurrentSpend, c.Curve.SteadyState(c.CurrentSpend), c.Curve.SteadyState(recommended),
                fit.Curve.Theta, fit.Curve.Beta, fit.Curve.Kappa, fit.Curve.Shape, fit.HalfSaturationSpend, fit.RSquared, (long)fit.Days, fit.WeakEvidence, fit.Warning,
            };
        }).ToList();
        object?[] summary = [response, budget, currentTotal, allocation.CurrentResponse, allocation.ExpectedResponse, allocation.Lift, first, last];
        var written = (await w.WriteTablesAsync(
        [
            new TableWrite(context.Asset, TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(Columns, rows, ct)),
            new TableWrite(context.Output("summary"), TableWriteMode.Replace, (b, ct) => b.CreateAndAppendAsync(SummaryColumns, [summary], ct)),
        ], cancellationToken).ConfigureAwait(false))[0];
        // A change relative to almost nothing (a current response that rounds to 0.00) is no percentage anyone can act on.
        var change = Math.Abs(allocation.CurrentResponse) < 0.005 ? "no current response to compare with" : allocation.Lift.ToString("+0.0%;-0.0%", CultureInfo.CurrentCulture);
        context.Log($"{channels.Count} channels, {budget:N2}/day: expected {response} {allocation.ExpectedResponse:N2}/day vs {allocation.CurrentResponse:N2} now ({change})");
        var weak = fits.Where(f => f.Value.WeakEvidence).Select(f => f.Key).ToList();
        if (weak.Count > 0)
            context.Log($"warning: the recommendation rests on weak evidence for {string.Join(", ", weak)} (see the warning column): treat it as a direction to test, not a forecast");
        return new Materialization(written, new Dictionary<string, object?>
        {
            ["lift"] = allocation.Lift, ["expected_response"] = allocation.ExpectedResponse, ["current_response"] = allocation.CurrentResponse,
            ["warnings"] = fits.Count(f => f.Value.Warning is not null),
        });
    }

    private static double Number(object? value) => value is null ? 0 : Convert.ToDouble(value, CultureInfo.InvariantCulture);
}
