using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Tributary.Analytics.Funnels;
using Tributary.Components.Standardize;
using Tributary.Core.Components;
using Tributary.Core.Warehousing;

namespace Tributary.Components.Funnels;

/// <summary>How many segment comparisons are corrected for.</summary>
public enum MultipleComparisonCorrection
{
    /// <summary>Holm's step-down method: family-wise error rate.</summary>
    Holm,
    /// <summary>Benjamini-Hochberg: false discovery rate.</summary>
    BenjaminiHochberg,
    /// <summary>Bonferroni: family-wise error rate, most conservative.</summary>
    Bonferroni,
}

/// <summary>Parameters of <c>analytics.conversion_opportunities</c>.</summary>
public sealed record ConversionOpportunitiesParameters
{
    /// <summary>Value of a conversion.</summary>
    [Description("What one conversion (reaching the funnel's last step) is worth, e.g. the average order value. Default 1 (costs in conversions).")]
    [Range(0, 1e12)]
    public double ConversionValue { get; init; } = 1;

    /// <summary>Share of a step's drop-offs taken as recoverable.</summary>
    [Description("Share of a step's drop-offs (and of a segment's gap to the others) assumed won back, to value the finding: the value of recovering this share of the units lost, had they gone on as those who passed the step did. Default 0.1 (10%); 1 values every lost unit as a sure conversion.")]
    [Range(0.001, 1)]
    public double RecoverableShare { get; init; } = 0.1;

    /// <summary>Significance level.</summary>
    [Description("Level at which a segment's step conversion differs from the rest's after the correction. Default 0.05.")]
    [Range(1e-6, 0.5)]
    public double Alpha { get; init; } = 0.05;

    /// <summary>Correction.</summary>
    [Description("Correction for testing many segments and steps: holm (default), benjamini_hochberg or bonferroni.")]
    public MultipleComparisonCorrection Correction { get; init; } = MultipleComparisonCorrection.Holm;

    /// <summary>Least units in a segment.</summary>
    [Description("Segments with fewer units at the previous step are not tested. Default 30.")]
    [Range(1, 1_000_000)]
    public int MinUnits { get; init; } = 30;

    /// <summary>Name of the unit.</summary>
    [Description("What the funnel counts, for the findings' text: sessions, people, visitors… Default units.")]
    public string UnitName { get; init; } = "units";

    /// <summary>Currency of the conversion value.</summary>
    [Description("Currency of conversion_value (e.g. USD), named after each amount in the findings' text. Optional: without it the amounts carry no currency.")]
    public string? Currency { get; init; }
}

/// <summary>
/// Where a funnel loses the most, from an <c>analytics.funnel</c> table: each required step's drop-off valued at what
/// winning back a stated share of its lost units would bring (recoverable share × dropped × the share of those reaching
/// the step who went on to convert × the value of a conversion), and each breakdown segment whose conversion at a step differs from the rest of the units by a
/// pooled two-proportion z-test after a multiple-comparison correction, valued at the extra units it loses. One
/// readable finding per row, ranked by value. Each finding is valued alone, all else as observed: they overlap (a segment's
/// gap is part of its step's drop-off, and a unit won back at one step can still drop at a later one), so they do not add up.
/// </summary>
public sealed class ConversionOpportunities : IComponent<ConversionOpportunitiesParameters>
{
    /// <inheritdoc />
    public static string TypeName => "analytics.conversion_opportunities";
    /// <inheritdoc />
    public static string Description => "Funnel drop-offs ranked by what they cost, and the segments that convert significantly worse or better, as readable findings.";
    /// <inheritdoc />
    public static InputArity Inputs => InputArity.One;

    private static readonly (string Name, DataKind Kind)[] Columns =
    [
        ("rank", DataKind.Integer), ("kind", DataKind.Text), ("step", DataKind.Integer), ("step_name", DataKind.Text), ("segment", DataKind.Text),
        ("units_at_previous", DataKind.Integer), ("units", DataKind.Integer), ("conversion", DataKind.Number), ("others_conversion", DataKind.Number),
        ("lost_units", DataKind.Number), ("value_lost", DataKind.Number), ("p_value", DataKind.Number), ("adjusted_p_value", DataKind.Number),
        ("significant", DataKind.Boolean), ("finding", DataKind.Text),
    ];

    /// <inheritdoc />
    public ComponentPlan Plan(ConversionOpportunitiesParameters p, PlanContext context) =>
        new(Schema.Of(Columns), Schema.Needs(0, "breakdown", "step", "step_name", "optional", "units"))
        {
            MainDescription = "A finding: a step's drop-off, or a segment converting differently at a step, with its cost and test.",
        };

    /// <inheritdoc />
    public async Task<Materialization> MaterializeAsync(ConversionOpportunitiesParameters p, ComponentContext context, CancellationToken cancellationToken)
    {
        var w = context.Warehouse;
        var rows = (await w.QueryAsync($"SELECT breakdown, step, step_name, optional, units FROM {w.Dialect.Quote(context.Inputs[0])}", null, int.MaxValue, cancellationToken)
            .ConfigureAwait(false)).Rows
            .Select(r => new FunnelRow((string)r[0]!, Convert.ToInt32(r[1], CultureInfo.InvariantCulture), (string)r[2]!, (bool)r[3]!, Convert.ToInt64(r[4], CultureInfo.InvariantCulture)))
            .ToList();
        var findings = Analyse(rows, p);
        var table = findings.Select((f, i) => new object?[]
        {
            (long)(i + 1), f.Kind, (long)f.Step, f.StepName, f.Segment, f.Previous, f.Units, f.Conversion, f.OthersConversion, f.LostUnits, f.ValueLost,
            f.PValue, f.AdjustedPValue, f.Significant, f.Text,
        });
        var written = await w.ReplaceTableAsync(context.Asset, (b, ct) => b.CreateAndAppendAsync(Columns, table, ct), cancellationToken).ConfigureAwait(false);
        context.Log($"{findings.Count(f => f.Kind == "drop_off"):N0} drop-offs and {findings.Count(f => f.Significant == true):N0} significant segment differences");
        return Materialization.Of(written);
    }

    // " USD" after an amount when the currency is set; nothing otherwise.
    private static string Money(ConversionOpportunitiesParameters p) => string.IsNullOrWhiteSpace(p.Currency) ? "" : " " + p.Currency.Trim().ToUpperInvariant();

    private static string Pct(double share) => (share * 100).ToString("0.0", CultureInfo.InvariantCulture) + "%";

    internal sealed record FunnelRow(string Breakdown, int Step, string StepName, bool Optional, long Units);

    internal sealed record Finding(string Kind, int Step, string StepName, string? Segment, long Previous, long Units, double Conversion, double? OthersConversion,
        double LostUnits, double ValueLost, double? PValue, double? AdjustedPValue, bool? Significant, string Text);

    internal static List<Finding> Analyse(IReadOnlyList<FunnelRow> rows, ConversionOpportunitiesParameters p)
    {
        var all = rows.Where(r => r.Breakdown == Funnel.AllUnits).OrderBy(r => r.Step).ToList();
        var required = all.Where(r => !r.Optional).ToList();
        if (required.Count < 2) return [];
        var last = required[^1];
        var findings = new List<Finding>();
        // Of the units reaching a step, the share that went on to convert: what a unit lost just before it was worth.
        double Onward(IReadOnlyList<FunnelRow> steps, int step)
        {
            var at = steps.First(r => r.Step == step).Units;
            return at == 0 ? 0 : (double)steps.First(r => r.Step == last.Step).Units / at;
        }
        for (var i = 1; i < required.Count; i++)
        {
            var (before, step) = (required[i - 1], required[i]);
            var lost = before.Units - step.Units;
            var onward = Onward(required, step.Step);
            // Valuing every lost unit as converting would let the findings exceed all conversions; only a stated share is won back.
            var recovered = p.RecoverableShare * lost;
            var value = recovered * onward * p.ConversionValue;
            var conversion = before.Units == 0 ? 0 : (double)step.Units / before.Units;
            var then = step.Step == last.Step ? "each a conversion" : $"of whom {Pct(onward)} would convert, as of those who reach it";
            findings.Add(new Finding("drop_off", step.Step, step.StepName, null, before.Units, step.Units, conversion, null, lost, value, null, null, null,
                string.Create(CultureInfo.InvariantCulture,
                    $"{lost:N0} of {before.Units:N0} {p.UnitName} ({Pct(1 - conversion)}) stop between '{before.StepName}' and '{step.StepName}'. Winning back {Pct(p.RecoverableShare)} of them ({recovered:N0} {p.UnitName} reaching '{step.StepName}', {then}) would bring about {value:N0}{Money(p)} in conversion value; valued alone, not to be added to the other findings.")));
        }
        var tests = new List<(FunnelRow Before, FunnelRow Step, string Segment, long N1, long X1, ProportionTest Test, double Onward)>();
        foreach (var segment in rows.Where(r => r.Breakdown != Funnel.AllUnits).GroupBy(r => r.Breakdown))
        {
            var mine = segment.Where(r => !r.Optional).OrderBy(r => r.Step).ToList();
            for (var i = 1; i < required.Count; i++)
            {
                var (before, step) = (required[i - 1], required[i]);
                var n1 = mine.FirstOrDefault(r => r.Step == before.Step)?.Units ?? 0;
                var x1 = mine.FirstOrDefault(r => r.Step == step.Step)?.Units ?? 0;
                if (n1 < p.MinUnits || before.Units - n1 < p.MinUnits) continue;
                tests.Add((before, step, segment.Key, n1, x1, ProportionStatistics.TwoProportions(x1, n1, step.Units - x1, before.Units - n1), Onward(required, step.Step)));
            }
        }
        var pValues = tests.Select(t => t.Test.PValue).ToList();
        var adjusted = p.Correction switch
        {
            MultipleComparisonCorrection.BenjaminiHochberg => ProportionStatistics.BenjaminiHochberg(pValues),
            MultipleComparisonCorrection.Bonferroni => ProportionStatistics.Bonferroni(pValues),
            _ => ProportionStatistics.Holm(pValues),
        };
        var correction = p.Correction switch
        {
            MultipleComparisonCorrection.BenjaminiHochberg => "Benjamini-Hochberg", MultipleComparisonCorrection.Bonferroni => "Bonferroni", _ => "Holm",
        };
        for (var i = 0; i < tests.Count; i++)
        {
            var t = tests[i];
            // Units the segment loses beyond what it would at the others' rate (negative when it does better); valued, as a
            // drop-off is, at the stated share won back, so that the two kinds of finding rank on one footing.
            var lost = (t.Test.P2 - t.Test.P1) * t.N1;
            var value = p.RecoverableShare * lost * t.Onward * p.ConversionValue;
            var significant = adjusted[i] < p.Alpha;
            var verb = t.Test.P1 < t.Test.P2 ? "worse" : "better";
            var text = string.Create(CultureInfo.InvariantCulture,
                $"{t.Segment}: {Pct(t.Test.P1)} of {t.N1:N0} {p.UnitName} go from '{t.Before.StepName}' to '{t.Step.StepName}' against {Pct(t.Test.P2)} for the rest ({verb}; p = {adjusted[i]:G3} after {correction}, {(significant ? "significant" : "not significant")})");
            if (significant && lost > 0) text += string.Create(CultureInfo.InvariantCulture, $"; the gap is {lost:N0} {p.UnitName}, and closing {Pct(p.RecoverableShare)} of it would bring about {value:N0}{Money(p)}, part of the step's drop-off, not in addition to it.");
            else text += ".";
            findings.Add(new Finding("segment", t.Step.Step, t.Step.StepName, t.Segment, t.N1, t.X1, t.Test.P1, t.Test.P2, lost, value,
                t.Test.PValue, adjusted[i], significant, text));
        }
        // Drop-offs and significant segment gaps first, by value; then the rest.
        return findings.OrderByDescending(f => f.Kind == "drop_off" || f.Significant == true).ThenByDescending(f => f.ValueLost).ThenBy(f => f.Step).ThenBy(f => f.Segment, StringComparer.Ordinal).ToList();
    }
}
