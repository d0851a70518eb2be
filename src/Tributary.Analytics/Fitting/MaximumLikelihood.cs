using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Tributary.Analytics.Fitting;

/// <summary>
/// Maximum likelihood over strictly positive parameters: Nelder-Mead on their logarithms, restarted from the
/// best point until the log-likelihood stops improving (restarts guard against a collapsed simplex), then
/// standard errors from the inverse of a central-difference Hessian at the optimum.
/// </summary>
public static class MaximumLikelihood
{
    /// <summary>Maximizes <paramref name="logLikelihood"/> from <paramref name="start"/> (all &gt; 0).</summary>
    public static MaximumLikelihoodFit Maximize(Func<double[], double> logLikelihood, IReadOnlyList<double> start, MaximumLikelihoodOptions? options = null)
    {
        options ??= new MaximumLikelihoodOptions();
        var objective = ObjectiveFunction.Value(v =>
        {
            var p = v.Select(x => Math.Exp(x)).ToArray();
            var ll = logLikelihood(p);
            return double.IsFinite(ll) ? -ll : double.MaxValue;
        });
        var point = Vector<double>.Build.DenseOfEnumerable(start.Select(x => Math.Log(x)));
        var best = double.MaxValue;
        var iterations = 0;
        var restarts = 0;
        for (; restarts < options.MaxRestarts; restarts++)
        {
            var result = NelderMeadSimplex.Minimum(objective, point, Vector<double>.Build.Dense(point.Count, 0.25), options.Tolerance, options.MaxIterations);
            iterations += result.Iterations;
            point = result.MinimizingPoint;
            var improved = best - result.FunctionInfoAtMinimum.Value;
            best = result.FunctionInfoAtMinimum.Value;
            if (improved < options.Tolerance) break;
        }
        var parameters = point.Select(v => Math.Exp(v)).ToArray();
        return new MaximumLikelihoodFit(parameters, StandardErrors(logLikelihood, parameters), -best, iterations, restarts < options.MaxRestarts);
    }

    // Observed information: the negative Hessian of the log-likelihood in the natural parameters.
    private static double[] StandardErrors(Func<double[], double> ll, double[] p)
    {
        var k = p.Length;
        var h = p.Select(x => 1e-4 * Math.Max(Math.Abs(x), 1e-3)).ToArray();
        var hessian = Matrix<double>.Build.Dense(k, k);
        for (var i = 0; i < k; i++)
            for (var j = i; j < k; j++)
            {
                double At(double di, double dj)
                {
                    var q = (double[])p.Clone();
                    q[i] += di;
                    q[j] += dj;
                    return ll(q);
                }
                var value = (At(h[i], h[j]) - At(h[i], -h[j]) - At(-h[i], h[j]) + At(-h[i], -h[j])) / (4 * h[i] * h[j]);
                hessian[i, j] = hessian[j, i] = -value;
            }
        try
        {
            var covariance = hessian.Inverse();
            return Enumerable.Range(0, k).Select(i => covariance[i, i] > 0 ? Math.Sqrt(covariance[i, i]) : double.NaN).ToArray();
        }
        catch (ArgumentException)
        {
            return Enumerable.Repeat(double.NaN, k).ToArray();
        }
    }
}

/// <summary>Optimizer settings. Defaults: tolerance 1e-10 on the log-likelihood, 5,000 iterations, 8 restarts.</summary>
public sealed record MaximumLikelihoodOptions(double Tolerance = 1e-10, int MaxIterations = 5_000, int MaxRestarts = 8);

/// <summary>Fitted parameters, their standard errors (NaN when the Hessian is singular), the maximized log-likelihood, and diagnostics.</summary>
public sealed record MaximumLikelihoodFit(IReadOnlyList<double> Parameters, IReadOnlyList<double> StandardErrors, double LogLikelihood, int Iterations, bool Converged);
