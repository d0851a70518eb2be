namespace Tributary.Analytics.Uplift;

/// <summary>The observed effect of a randomized send on one group: treated minus control conversion rate, with its Agresti–Caffo interval.</summary>
/// <param name="Uplift">Treated rate minus control rate, the point estimate shown; NaN when an arm is empty.</param>
/// <param name="Centre">Agresti–Caffo centre p̃ₜ − p̃꜀, each rate with one success and one failure added; the interval is centred here. NaN when an arm is empty.</param>
/// <param name="StandardError">Agresti–Caffo standard error of the difference; NaN when an arm is empty.</param>
/// <param name="Treated">Treated customers in the group.</param>
/// <param name="Control">Control customers in the group.</param>
public readonly record struct ObservedUplift(double Uplift, double Centre, double StandardError, int Treated, int Control)
{
    /// <summary>Lower end of the Agresti–Caffo interval at <paramref name="z"/> standard errors (1.96 for 95%): p̃ₜ − p̃꜀ − z·se.</summary>
    public double Low(double z = 1.96) => Centre - z * StandardError;

    /// <summary>Upper end of the Agresti–Caffo interval at <paramref name="z"/> standard errors: p̃ₜ − p̃꜀ + z·se.</summary>
    public double High(double z = 1.96) => Centre + z * StandardError;

    /// <summary>
    /// The rate difference of a randomized group. The point is the plain difference (unbiased); the interval adds one
    /// success and one failure to each arm and is centred at the adjusted difference (Agresti &amp; Caffo 2000, "Simple and
    /// effective confidence intervals for proportions and differences of proportions", §2), so an arm with all or no
    /// conversions still has a width and the coverage stays near nominal in small arms.
    /// </summary>
    public static ObservedUplift Of(int treated, int treatedConverted, int control, int controlConverted)
    {
        if (treated == 0 || control == 0) return new ObservedUplift(double.NaN, double.NaN, double.NaN, treated, control);
        var difference = (double)treatedConverted / treated - (double)controlConverted / control;
        // p̃ = (y + 1) / (n + 2), centre p̃ₜ − p̃꜀, Var = p̃ₜ(1 − p̃ₜ)/(nₜ + 2) + p̃꜀(1 − p̃꜀)/(n꜀ + 2).
        double pt = (treatedConverted + 1.0) / (treated + 2), pc = (controlConverted + 1.0) / (control + 2);
        var se = Math.Sqrt(pt * (1 - pt) / (treated + 2) + pc * (1 - pc) / (control + 2));
        return new ObservedUplift(difference, pt - pc, se, treated, control);
    }

    /// <summary>The rate difference over every customer of a randomized sample.</summary>
    public static ObservedUplift Of(IReadOnlyList<bool> treated, IReadOnlyList<bool> converted)
    {
        int nt = 0, nc = 0, yt = 0, yc = 0;
        for (var i = 0; i < treated.Count; i++)
            if (treated[i]) { nt++; if (converted[i]) yt++; } else { nc++; if (converted[i]) yc++; }
        return Of(nt, yt, nc, yc);
    }
}
