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
        // The best point seen is kept, so a search that runs out of iterations (a likelihood that keeps rising toward a
        // boundary, e.g. on tiny or degenerate data) still returns its best estimate, marked not converged.
        var bestSeen = double.MaxValue;
        Vector<double>? bestPoint = null;
        var objective = ObjectiveFunction.Value(v =>
        {
            var p = v.Select(x => Math.Exp(x)).ToArray();
            var ll = logLikelihood(p);
            var value = double.IsFinite(ll) ? -ll : double.MaxValue;
            if (value < bestSeen) (bestSeen, bestPoint) = (value, v.Clone());
            return value;
        });
        var point = Vector<double>.Build.DenseOfEnumerable(start.Select(x => Math.Log(x)));
        var best = double.MaxValue;
        var iterations = 0;
        var restarts = 0;
        var exhausted = false;
        for (; restarts < options.MaxRestarts; restarts++)
        {
            try
            {
                var result = NelderMeadSimplex.Minimum(objective, point, Vector<double>.Build.Dense(point.Count, 0.25), options.Tolerance, options.MaxIterations);
                iterations += result.Iterations;
                point = result.MinimizingPoint;
                var improved = best - result.FunctionInfoAtMinimum.Value;
                best = result.FunctionInfoAtMinimum.Value;
                if (improved < options.Tolerance) break;
            }
            catch (MaximumIterationsException)
            {
                iterations += options.MaxIterations;
                exhausted = true;
                break;
            }
        }
        if (bestPoint is not null && bestSeen < best) (point, best) = (bestPoint, bestSeen);
        var parameters = point.Select(v => Math.Exp(v)).ToArray();
        var covariance = Covariance(logLikelihood, parameters);
        var errors = Enumerable.Range(0, parameters.Length)
            .Select(i => covariance is not null && covariance[i, i] > 0 ? Math.Sqrt(covariance[i, i]) : double.NaN).ToArray();
        return new MaximumLikelihoodFit(parameters, errors, -best, iterations, !exhausted && restarts < options.MaxRestarts) { Covariance = covariance };
    }

    /// <summary>
    /// Parameter sets drawn from the asymptotic normal N(θ̂, Σ̂) (draws with a non-positive parameter are redrawn),
    /// for intervals that carry estimation uncertainty. Empty when the covariance is unavailable.
    /// </summary>
    public static IReadOnlyList<double[]> DrawParameters(MaximumLikelihoodFit fit, int count, Random random)
    {
        if (fit.Covariance is not { } covariance) return [];
        var k = fit.Parameters.Count;
        var sigma = Matrix<double>.Build.DenseOfArray(covariance);
        Matrix<double> lower;
        try
        {
            lower = sigma.Cholesky().Factor;
        }
        catch (ArgumentException)
        {
            return [];
        }
        var draws = new List<double[]>(count);
        for (var attempts = 0; draws.Count < count && attempts < count * 20; attempts++)
        {
            var normal = Vector<double>.Build.Dense(k, _ => Gaussian(random));
            var draw = (lower * normal).Select((d, i) => fit.Parameters[i] + d).ToArray();
            if (draw.All(v => v > 0)) draws.Add(draw);
        }
        return draws;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    // Inverse observed information: the negative Hessian of the log-likelihood in the natural parameters.
    private static double[,]? Covariance(Func<double[], double> ll, double[] p)
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
        var inverse = hessian.Inverse();
        return inverse.Enumerate().All(double.IsFinite) ? inverse.ToArray() : null;
    }
}

/// <summary>Optimizer settings. Defaults: tolerance 1e-10 on the log-likelihood, 5,000 iterations, 8 restarts.</summary>
public sealed record MaximumLikelihoodOptions(double Tolerance = 1e-10, int MaxIterations = 5_000, int MaxRestarts = 8);

/// <summary>Fitted parameters, their standard errors (NaN when the Hessian is singular), the maximized log-likelihood, and diagnostics.</summary>
public sealed record MaximumLikelihoodFit(IReadOnlyList<double> Parameters, IReadOnlyList<double> StandardErrors, double LogLikelihood, int Iterations, bool Converged)
{
    /// <summary>Asymptotic covariance of the parameters (inverse observed information), or null when singular.</summary>
    public double[,]? Covariance { get; init; }
}
