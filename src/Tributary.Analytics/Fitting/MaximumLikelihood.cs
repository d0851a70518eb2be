using MathNet.Numerics.LinearAlgebra;
using MathNet.Numerics.Optimization;

namespace Tributary.Analytics.Fitting;

/// <summary>
/// Maximum likelihood over strictly positive parameters: Nelder-Mead on their logarithms, restarted from the
/// best point until the log-likelihood stops improving (restarts guard against a collapsed simplex), or, given the
/// gradient, BFGS on the logarithms (Nocedal &amp; Wright 2006, algorithm 6.1, with a backtracking Armijo line search)
/// falling back to Nelder-Mead when it stalls; then standard errors from the inverse of a central-difference Hessian
/// at the optimum. Convergence is relative to the size of the log-likelihood, which grows with the data.
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
                // Relative: summed over many customers, rounding alone moves the log-likelihood by more than an absolute 1e-10,
                // and every restart then "improved" it, so large data ran all restarts.
                if (improved < options.Tolerance * Math.Max(1, Math.Abs(best))) break;
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
    /// Maximizes a log-likelihood whose gradient is known: <paramref name="logLikelihood"/> returns the value at the
    /// parameters and writes ∂/∂p into its second argument. BFGS on the logarithms of the parameters; Nelder-Mead from
    /// BFGS's best point when the line search stalls before convergence.
    /// </summary>
    public static MaximumLikelihoodFit Maximize(Func<double[], double[], double> logLikelihood, IReadOnlyList<double> start, MaximumLikelihoodOptions? options = null)
    {
        options ??= new MaximumLikelihoodOptions();
        var k = start.Count;
        var scratch = new double[k];
        double Value(double[] p) => logLikelihood(p, scratch);
        // f(θ) = −LL(e^θ); ∂f/∂θ_i = −p_i ∂LL/∂p_i.
        double Evaluate(double[] theta, double[] gradient)
        {
            var p = theta.Select(Math.Exp).ToArray();
            var ll = logLikelihood(p, gradient);
            for (var i = 0; i < k; i++) gradient[i] = -gradient[i] * p[i];
            return double.IsFinite(ll) && gradient.All(double.IsFinite) ? -ll : double.PositiveInfinity;
        }
        var theta = start.Select(x => Math.Log(x)).ToArray();
        var g = new double[k];
        var f = Evaluate(theta, g);
        var h = Identity(k);
        var converged = false;
        var iterations = 0;
        var trial = new double[k];
        var gTrial = new double[k];
        while (double.IsFinite(f) && iterations < options.MaxIterations)
        {
            iterations++;
            var d = new double[k];
            for (var i = 0; i < k; i++)
                for (var j = 0; j < k; j++) d[i] -= h[i, j] * g[j];
            var slope = Dot(g, d);
            if (slope >= 0)
            {
                h = Identity(k);
                for (var i = 0; i < k; i++) d[i] = -g[i];
                slope = -Dot(g, g);
            }
            // Steps are capped at 10 in log space (a factor e^10 on a parameter), then halved until Armijo holds.
            var step = Math.Min(1, 10 / Math.Sqrt(Dot(d, d)));
            var fTrial = double.PositiveInfinity;
            for (var halvings = 0; halvings < 60; halvings++, step /= 2)
            {
                for (var i = 0; i < k; i++) trial[i] = theta[i] + step * d[i];
                fTrial = Evaluate(trial, gTrial);
                if (fTrial <= f + 1e-4 * step * slope) break;
            }
            if (!(fTrial <= f)) break;
            var s = new double[k];
            var y = new double[k];
            for (var i = 0; i < k; i++) (s[i], y[i]) = (trial[i] - theta[i], gTrial[i] - g[i]);
            var change = f - fTrial;
            (f, theta, g, trial, gTrial) = (fTrial, trial, gTrial, theta, g);
            var scale = Math.Max(1, Math.Abs(f));
            if (g.Max(Math.Abs) <= 1e-9 * scale || change <= 1e-15 * scale)
            {
                converged = g.Max(Math.Abs) <= 1e-6 * scale;
                break;
            }
            var sy = Dot(s, y);
            if (sy <= 1e-12 * Math.Sqrt(Dot(s, s) * Dot(y, y))) continue;
            if (iterations == 1)
                for (var i = 0; i < k; i++) h[i, i] = sy / Dot(y, y);
            // H ← (I − ρsyᵀ) H (I − ρysᵀ) + ρssᵀ, ρ = 1/yᵀs.
            var rho = 1 / sy;
            var hy = new double[k];
            for (var i = 0; i < k; i++)
                for (var j = 0; j < k; j++) hy[i] += h[i, j] * y[j];
            var yhy = Dot(y, hy);
            for (var i = 0; i < k; i++)
                for (var j = 0; j < k; j++)
                    h[i, j] += -rho * (hy[i] * s[j] + s[i] * hy[j]) + (rho * rho * yhy + rho) * s[i] * s[j];
        }
        if (!converged)
        {
            var polished = Maximize(Value, theta.Select(Math.Exp).ToArray(), options);
            return polished with { Iterations = polished.Iterations + iterations };
        }
        var parameters = theta.Select(Math.Exp).ToArray();
        var covariance = Covariance(logLikelihood, parameters);
        var errors = Enumerable.Range(0, k).Select(i => covariance is not null && covariance[i, i] > 0 ? Math.Sqrt(covariance[i, i]) : double.NaN).ToArray();
        return new MaximumLikelihoodFit(parameters, errors, -f, iterations, true) { Covariance = covariance };
    }

    private static double[,] Identity(int k)
    {
        var m = new double[k, k];
        for (var i = 0; i < k; i++) m[i, i] = 1;
        return m;
    }

    private static double Dot(double[] u, double[] v)
    {
        double sum = 0;
        for (var i = 0; i < u.Length; i++) sum += u[i] * v[i];
        return sum;
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

    // The same from the gradient: each Hessian column a central difference of gradients (2k evaluations, not 2k(k+1)).
    private static double[,]? Covariance(Func<double[], double[], double> ll, double[] p)
    {
        var k = p.Length;
        var hessian = Matrix<double>.Build.Dense(k, k);
        var (up, down) = (new double[k], new double[k]);
        for (var j = 0; j < k; j++)
        {
            var h = 1e-4 * Math.Max(Math.Abs(p[j]), 1e-3);
            var q = (double[])p.Clone();
            q[j] = p[j] + h;
            ll(q, up);
            q[j] = p[j] - h;
            ll(q, down);
            for (var i = 0; i < k; i++) hessian[i, j] = -(up[i] - down[i]) / (2 * h);
        }
        return Invert(hessian.Add(hessian.Transpose()).Divide(2));
    }

    private static double[,]? Invert(Matrix<double> information)
    {
        var inverse = information.Inverse();
        return inverse.Enumerate().All(double.IsFinite) ? inverse.ToArray() : null;
    }

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
        return Invert(hessian);
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
