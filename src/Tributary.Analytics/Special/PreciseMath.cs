namespace Tributary.Analytics.Special;

/// <summary>
/// log(1 + x) and exp(x) - 1 without cancellation for small x (Kahan's tricks, HP-15C Advanced Functions
/// Handbook 1982); .NET's double.LogP1 and double.ExpM1 compute the naive forms.
/// </summary>
public static class PreciseMath
{
    /// <summary>log(1 + x), accurate for |x| near 0.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static double Log1P(double x)
    {
        var u = 1 + x;
        return u == 1 ? x : Math.Log(u) * x / (u - 1);
    }

    /// <summary>exp(x) - 1, accurate for |x| near 0.</summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    public static double ExpM1(double x)
    {
        var u = Math.Exp(x);
        if (u == 1) return x;
        var um1 = u - 1;
        return um1 == -1 ? -1 : um1 * x / Math.Log(u);
    }
}
