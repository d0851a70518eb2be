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

/// <summary>
/// A fitted curve with its fit quality. <see cref="Warning"/> says why the data are too thin to trust it, and
/// <see cref="WeakEvidence"/> is then set: a recommendation built on the curve is a rough guide, not a finding.
/// </summary>
public sealed record ResponseCurveFit(ResponseCurve Curve, double RSquared, double Rmse, int Days, string? Warning)
{
    /// <summary>True when the data do not pin the curve down (see <see cref="Warning"/>).</summary>
    public bool WeakEvidence => Warning is not null;

    /// <summary>The daily spend, held every day, at which the response is half its ceiling β: κ(1 − θ).</summary>
    public double HalfSaturationSpend => Curve.Kappa * (1 - Curve.Theta);
}

/// <summary>
/// Least-squares fit of a <see cref="ResponseCurve"/> to daily spend and response (Nelder-Mead on transformed parameters).
/// The parameters are bounded the way PyMC-Marketing's and Meridian's priors keep them: carryover θ at most
/// <see cref="MaxTheta"/>, shape s in [<see cref="MinShape"/>, <see cref="MaxShape"/>], and the half-saturation spend
/// κ(1 − θ) within the observed range of daily spend. Unbounded, a channel whose response never flattens drives κ and β
/// to 10^20 together (a straight line both ways), which reads as a fact when it is only an extrapolation.
/// </summary>
public static class ResponseCurveFitter
{
    /// <summary>Largest carryover: at 0.9 half of an ad's effect is gone after about 6.6 days.</summary>
    public const double MaxTheta = 0.9;

    /// <summary>Smallest Hill shape.</summary>
    public const double MinShape = 0.5;

    /// <summary>Largest Hill shape.</summary>
    public const double MaxShape = 3;

    // A bounded parameter this close (as a share of its range) to a bound is taken as "at the bound".
    private const double Edge = 0.02;

    /// <summary>
    /// Fits θ, β, κ, s; warns (and so marks the evidence weak) with fewer than 30 days, spend that barely varies, a
    /// curve that explains little, or a half-saturation point or carryover pushed to its bound by the data.
    /// </summary>
    public static ResponseCurveFit Fit(IReadOnlyList<double> spend, IReadOnlyList<double> response)
    {
        if (spend.Count != response.Count) throw new ArgumentException($"spend and response need one value per day; got {spend.Count} and {response.Count}.");
        var n = spend.Count;
        var meanResponse = response.Average();
        var (low, high) = SpendRange(spend);
        var bounds = new Bounds(Math.Log(low), Math.Log(high));
        double Loss(Vector<double> v)
        {
            var curve = bounds.Decode(v);
            var predicted = curve.Predict(spend);
            double sse = 0;
            for (var t = 0; t < n; t++) sse += (predicted[t] - response[t]) * (predicted[t] - response[t]);
            return sse;
        }
        var best = (Loss: double.MaxValue, Point: Vector<double>.Build.Dense(4));
        // A few starts over θ and the half-saturation point: the surface has flat ridges between carryover and saturation.
        foreach (var theta in new[] { 0.2, 0.5, 0.8 })
            foreach (var half in new[] { 0.3, 0.7 })
            {
                var start = Vector<double>.Build.DenseOfArray([Logit(theta / MaxTheta), Math.Log(Math.Max(response.Max(), 1e-6) * 2), Logit(half), Logit((1 - MinShape) / (MaxShape - MinShape))]);
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
        var fitted = bounds.Decode(best.Point);
        var total = response.Sum(r => (r - meanResponse) * (r - meanResponse));
        var r2 = total <= 0 ? 0 : 1 - best.Loss / total;
        var mean = spend.Average();
        var cv = mean <= 0 ? 0 : Math.Sqrt(spend.Sum(x => (x - mean) * (x - mean)) / n) / mean;
        var halfShare = Sigmoid(best.Point[2]);
        var warning = n < 30 ? $"only {n} days of data; at least 30 are needed for a stable curve"
            : cv < 0.1 ? "spend barely varies, so saturation cannot be told apart from the level"
            : r2 < 0.2 ? $"the curve explains little of the response (R² {r2:0.00})"
            : halfShare > 1 - Edge ? $"the response has not flattened within the observed spend (up to {high:0.##}/day): where it saturates is unknown, and spending more is an extrapolation"
            : halfShare < Edge ? $"the response is flat across the observed spend (from {low:0.##}/day): how it responds to less spend is unknown"
            : Sigmoid(best.Point[0]) > 1 - Edge ? $"carryover runs to its bound (θ {MaxTheta}): the data cannot separate carryover from saturation"
            : null;
        return new ResponseCurveFit(fitted, r2, Math.Sqrt(best.Loss / n), n, warning);
    }

    // The range the half-saturation spend may take: from a low positive day (the 5th percentile) to the highest day.
    private static (double Low, double High) SpendRange(IReadOnlyList<double> spend)
    {
        var positive = spend.Where(x => x > 0).Order().ToList();
        if (positive.Count == 0) return (1e-9, 1e-6);
        var high = positive[^1];
        var low = Math.Min(positive[(int)(0.05 * (positive.Count - 1))], high / 2);
        return (low, high);
    }

    private readonly record struct Bounds(double LogLow, double LogHigh)
    {
        public ResponseCurve Decode(Vector<double> v)
        {
            var theta = MaxTheta * Sigmoid(v[0]);
            var half = Math.Exp(LogLow + (LogHigh - LogLow) * Sigmoid(v[2]));
            return new ResponseCurve(theta, Math.Exp(v[1]), half / (1 - theta), MinShape + (MaxShape - MinShape) * Sigmoid(v[3]));
        }
    }

    private static double Sigmoid(double x) => 1 / (1 + Math.Exp(-x));

    private static double Logit(double p) => Math.Log(p / (1 - p));
}
