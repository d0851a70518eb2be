using System.Numerics;
using System.Runtime.InteropServices;

namespace Tributary.Analytics.Recommendations;

/// <summary>Dot products and updates on factor vectors, SIMD-wide where the hardware has it.</summary>
internal static class DenseVector
{
    public static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        var sum = Vector<double>.Zero;
        var i = 0;
        var va = MemoryMarshal.Cast<double, Vector<double>>(a);
        var vb = MemoryMarshal.Cast<double, Vector<double>>(b);
        for (var v = 0; v < va.Length; v++) sum += va[v] * vb[v];
        i = va.Length * Vector<double>.Count;
        var total = Vector.Sum(sum);
        for (; i < a.Length; i++) total += a[i] * b[i];
        return total;
    }

    /// <summary>y += a · x.</summary>
    public static void AddScaled(Span<double> y, double a, ReadOnlySpan<double> x)
    {
        var vy = MemoryMarshal.Cast<double, Vector<double>>(y);
        var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
        var va = new Vector<double>(a);
        for (var v = 0; v < vy.Length; v++) vy[v] += va * vx[v];
        for (var i = vy.Length * Vector<double>.Count; i < y.Length; i++) y[i] += a * x[i];
    }

    /// <summary>y = m · x for a square row-major m.</summary>
    public static void Multiply(ReadOnlySpan<double> m, ReadOnlySpan<double> x, Span<double> y)
    {
        var k = x.Length;
        for (var r = 0; r < k; r++) y[r] = Dot(m.Slice(r * k, k), x);
    }
}
