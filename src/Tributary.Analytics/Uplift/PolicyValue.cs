namespace Tributary.Analytics.Uplift;

/// <summary>
/// What a targeting rule gains per contact, measured on a randomized send: the rule is applied to the send's customers,
/// treated and control alike and scored the same way, and its lift is the treated minus control outcome among those it
/// selects. Randomization makes the arms comparable within any set chosen from pre-send features, so this is unbiased
/// for the rule's average effect on whom it selects, the randomized-experiment case of the policy value (Athey &amp;
/// Wager 2021, "Policy Learning with Observational Data", with a known treatment probability; Imai &amp; Li 2023,
/// "Experimental Evaluation of Individualized Treatment Rules"). Unlike carrying bin averages to the customers a rule
/// picks within a bin, it values the selection itself.
/// </summary>
public static class PolicyValue
{
    /// <summary>
    /// The lift among the selected customers: conversions as a rate difference with its Agresti–Caffo interval
    /// (<see cref="ObservedUplift.Of(int, int, int, int)"/>), and the value of the conversions (converted × value) as a
    /// difference in means with the Neyman standard error √(s₁²/n₁ + s₀²/n₀).
    /// </summary>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static PolicyLift Of(ReadOnlySpan<bool> selected, ReadOnlySpan<bool> treated, ReadOnlySpan<bool> converted, ReadOnlySpan<double> value)
    {
        if (selected.Length != treated.Length || selected.Length != converted.Length || selected.Length != value.Length)
            throw new ArgumentException("selection, treatment flags, outcomes and values differ in length.");
        int nt = 0, nc = 0, yt = 0, yc = 0;
        double st = 0, sc = 0, qt = 0, qc = 0;
        for (var i = 0; i < selected.Length; i++)
        {
            if (!selected[i]) continue;
            var v = converted[i] ? value[i] : 0;
            if (treated[i]) { nt++; if (converted[i]) yt++; st += v; qt += v * v; }
            else { nc++; if (converted[i]) yc++; sc += v; qc += v * v; }
        }
        var conversions = ObservedUplift.Of(nt, yt, nc, yc);
        if (nt < 2 || nc < 2) return new PolicyLift(conversions, nt > 0 && nc > 0 ? st / nt - sc / nc : double.NaN, double.NaN);
        // Sample variances with n − 1; the arms are independent, so their mean's variances add.
        double vt = (qt - st * st / nt) / (nt - 1), vc = (qc - sc * sc / nc) / (nc - 1);
        return new PolicyLift(conversions, st / nt - sc / nc, Math.Sqrt(Math.Max(0, vt) / nt + Math.Max(0, vc) / nc));
    }
}

/// <summary>A targeting rule's lift per selected customer on a randomized send.</summary>
/// <param name="Conversions">Treated minus control conversion rate among the selected, with its interval; NaN when an arm is empty.</param>
/// <param name="ValueLift">Treated minus control mean of converted × value among the selected; NaN when an arm is empty.</param>
/// <param name="ValueStandardError">Standard error of <paramref name="ValueLift"/>; NaN when an arm has fewer than 2 customers.</param>
public readonly record struct PolicyLift(ObservedUplift Conversions, double ValueLift, double ValueStandardError);
