using MathNet.Numerics.Optimization;
using MathNet.Numerics.LinearAlgebra;

namespace Tributary.Analytics.Budget;

/// <summary>
/// A channel's response to spend: geometric adstock a_t = x_t + θ·a_{t−1} (Broadbent 1979), then Hill saturation
/// β·a^s / (κ^s + a^s) (Jin, Wang, Sun, Chan &amp; Koehler 2017, "Bayesian Methods for Media Mix Modeling with
/// Carryover and Shape Effects", eqs. 1 and 3). Parameters: θ in [0, 1), β, κ, s &gt; 0.
/// </summary>
public readonly record struct ResponseCurve(double Theta, double Beta, double Kappa, double Shape)
{
    /// <summary>Hill saturation of an adstocked level.</summary>
    public double Saturate(double adstock) => adstock <= 0 ? 0 : Beta / (1 + Math.Pow(Kappa / adstock, Shape));

    /// <summary>Daily response when spending <paramref name="dailySpend"/> every day (steady-state adstock x / (1 − θ)).</summary>
    public double SteadyState(double dailySpend) => Saturate(dailySpend / (1 - Theta));

    /// <summary>Predicted response for each day of a spend series.</summary>
    public double[] Predict(IReadOnlyList<double> spend)
    {
        var result = new double[spend.Count];
        var a = 0.0;
        for (var t = 0; t < spend.Count; t++)
        {
            a = spend[t] + Theta * a;
            result[t] = Saturate(a);
        }
        return result;
    }
}

/// <summary>A fitted curve with its fit quality; <see cref="Warning"/> says when the data are too thin to trust it.</summary>
public sealed record ResponseCurveFit(ResponseCurve Curve, double RSquared, double Rmse, int Days, string? Warning);

/// <summary>Least-squares fit of a <see cref="ResponseCurve"/> to daily spend and response (Nelder-Mead on transformed parameters).</summary>
public static class ResponseCurveFitter
{
    /// <summary>Fits θ, β, κ, s; warns with fewer than 30 days or spend that barely varies.</summary>
    public static ResponseCurveFit Fit(IReadOnlyList<double> spend, IReadOnlyList<double> response)
    {
        if (spend.Count != response.Count) throw new ArgumentException($"spend and response need one value per day; got {spend.Count} and {response.Count}.");
        var n = spend.Count;
        var meanResponse = response.Average();
        var meanSpend = Math.Max(spend.Average(), 1e-9);
        double Loss(Vector<double> v)
        {
            var curve = Decode(v);
            var predicted = curve.Predict(spend);
            double sse = 0;
            for (var t = 0; t < n; t++) sse += (predicted[t] - response[t]) * (predicted[t] - response[t]);
            return sse;
        }
        var best = (Loss: double.MaxValue, Point: Vector<double>.Build.Dense(4));
        // A few starts over θ and κ: the surface has flat ridges between carryover and saturation.
        foreach (var theta in new[] { 0.2, 0.5, 0.8 })
            foreach (var kappa in new[] { 0.5, 2.0 })
            {
                var start = Vector<double>.Build.DenseOfArray([Logit(theta), Math.Log(Math.Max(response.Max(), 1e-6) * 2), Math.Log(meanSpend * kappa / (1 - theta)), 0]);
                try
                {
                    var result = NelderMeadSimplex.Minimum(ObjectiveFunction.Value(Loss), start, Vector<double>.Build.Dense(4, 0.3), 1e-10, 4000);
                    if (result.FunctionInfoAtMinimum.Value < best.Loss) best = (result.FunctionInfoAtMinimum.Value, result.MinimizingPoint);
                }
                catch (MaximumIterationsException)
                {
                    // keep the other starts' results
                }
            }
        var fitted = Decode(best.Point);
        var total = response.Sum(r => (r - meanResponse) * (r - meanResponse));
        var r2 = total <= 0 ? 0 : 1 - best.Loss / total;
        var mean = spend.Average();
        var cv = mean <= 0 ? 0 : Math.Sqrt(spend.Sum(x => (x - mean) * (x - mean)) / n) / mean;
        var warning = n < 30 ? $"only {n} days of data; at least 30 are needed for a stable curve"
            : cv < 0.1 ? "spend barely varies, so saturation cannot be told apart from the level"
            : r2 < 0.2 ? $"the curve explains little of the response (R² {r2:0.00})" : null;
        return new ResponseCurveFit(fitted, r2, Math.Sqrt(best.Loss / n), n, warning);
    }

    private static ResponseCurve Decode(Vector<double> v) => new(1 / (1 + Math.Exp(-v[0])) * 0.99, Math.Exp(v[1]), Math.Exp(v[2]), Math.Exp(v[3]));

    private static double Logit(double p) => Math.Log(p / (1 - p / 0.99) / 0.99);
}
