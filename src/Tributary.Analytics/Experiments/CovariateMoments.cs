namespace Tributary.Analytics.Experiments;

/// <summary>
/// Sums of two more per-unit values <c>z</c> and <c>w</c> beside an arm's <c>y</c> and <c>x</c>: their sums, squares and
/// cross-products with every other value. A mean metric's z is a second pre-exposure covariate (w unused); a ratio
/// metric's z and w are the pre-exposure numerator and denominator, so its CUPED adjustment has both (Statsig's CUPED for
/// ratio metrics). All zero when the statistics carry no further covariates.
/// </summary>
public readonly record struct CovariateMoments(double SumZ, double SumZ2, double SumYZ, double SumXZ, double SumW, double SumW2, double SumYW, double SumXW, double SumZW)
{
    /// <summary>The moments of both sets of units together.</summary>
    public static CovariateMoments operator +(CovariateMoments a, CovariateMoments b) =>
        new(a.SumZ + b.SumZ, a.SumZ2 + b.SumZ2, a.SumYZ + b.SumYZ, a.SumXZ + b.SumXZ, a.SumW + b.SumW, a.SumW2 + b.SumW2, a.SumYW + b.SumYW,
            a.SumXW + b.SumXW, a.SumZW + b.SumZW);

    /// <summary>The moments of one unit's values.</summary>
    public static CovariateMoments Of(double y, double x, double z, double w) => new(z, z * z, y * z, x * z, w, w * w, y * w, x * w, z * w);
}
