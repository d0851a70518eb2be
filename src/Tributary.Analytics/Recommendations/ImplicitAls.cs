using System.Collections.Concurrent;

namespace Tributary.Analytics.Recommendations;

/// <summary>
/// Implicit-feedback matrix factorization: Hu, Koren &amp; Volinsky (2008), "Collaborative Filtering for Implicit Feedback
/// Datasets". Preference p_ui = 1 where r_ui &gt; 0, else 0; confidence c_ui = 1 + α·r_ui (eq. (6)); the loss
/// Σ_ui c_ui (p_ui − x_uᵀy_i)² + λ(Σ‖x_u‖² + Σ‖y_i‖²) (eq. (3)) is minimised by alternating least squares. Each row's
/// normal equations (YᵀY + Yᵀ(C_u − I)Y + λI) x_u = YᵀC_u p(u) (eq. (4)) are solved approximately by a few conjugate-gradient
/// steps warm-started from the previous sweep (Takács, Pilászy &amp; Tikk 2011, "Applications of the conjugate gradient
/// method for implicit feedback collaborative filtering", algorithm 2), which needs only YᵀY and the row's observed items.
/// </summary>
public static class ImplicitAls
{
    /// <summary>Fits user and item factors to <paramref name="interactions"/> (users × items, r_ui ≥ 0).</summary>
    public static ImplicitAlsModel Fit(InteractionMatrix interactions, ImplicitAlsOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(interactions);
        options.Validate();
        var k = options.Factors;
        var random = new Random(options.Seed);
        // Small random start (both sides), so that the first sweep is not symmetric.
        var users = new double[interactions.Users * k];
        var items = new double[interactions.Items * k];
        for (var i = 0; i < items.Length; i++) items[i] = 0.01 * Normal(random);
        for (var i = 0; i < users.Length; i++) users[i] = 0.01 * Normal(random);
        var byItem = interactions.Transpose();
        var loss = new List<double>();
        for (var sweep = 0; sweep < options.Iterations; sweep++)
        {
            SolveRows(interactions, items, users, options, cancellationToken);
            SolveRows(byItem, users, items, options, cancellationToken);
            if (options.TrackLoss) loss.Add(Loss(interactions, users, items, options));
        }
        return new ImplicitAlsModel(k, users, items, loss);
    }

    /// <summary>
    /// One half-sweep: for every row u of <paramref name="r"/>, improves <paramref name="solve"/>[u] toward the solution of
    /// eq. (4) with the other side <paramref name="fixedFactors"/> held fixed, by conjugate-gradient steps from its current value.
    /// </summary>
    internal static void SolveRows(InteractionMatrix r, double[] fixedFactors, double[] solve, ImplicitAlsOptions options, CancellationToken cancellationToken)
    {
        var k = options.Factors;
        var gram = Gram(fixedFactors, k, r.Items, options.Regularization);
        var alpha = options.Alpha;
        var steps = options.ConjugateGradientSteps;
        var ranges = Partitioner.Create(0, r.Users, Math.Max(64, r.Users / (Environment.ProcessorCount * 8) + 1));
        Parallel.ForEach(ranges, new ParallelOptions { CancellationToken = cancellationToken }, range =>
        {
            var residual = new double[k];
            var direction = new double[k];
            var product = new double[k];
            for (var u = range.Item1; u < range.Item2; u++)
            {
                var x = solve.AsSpan(u * k, k);
                var (from, to) = (r.RowStart[u], r.RowStart[u + 1]);
                // residual = YᵀC_u p(u) − A x, with A x = (YᵀY + λI) x + Σ_obs (c − 1)(y·x) y.
                Apply(gram, fixedFactors, r, from, to, alpha, x, residual);
                for (var j = 0; j < k; j++) residual[j] = -residual[j];
                for (var e = from; e < to; e++)
                    DenseVector.AddScaled(residual, 1 + alpha * r.Values[e], fixedFactors.AsSpan(r.Columns[e] * k, k));
                residual.CopyTo(direction, 0);
                var rsOld = DenseVector.Dot(residual, residual);
                for (var step = 0; step < steps && rsOld > 1e-30; step++)
                {
                    Apply(gram, fixedFactors, r, from, to, alpha, direction, product);
                    var curvature = DenseVector.Dot(direction, product);
                    if (curvature <= 0) break;
                    var a = rsOld / curvature;
                    DenseVector.AddScaled(x, a, direction);
                    DenseVector.AddScaled(residual, -a, product);
                    var rsNew = DenseVector.Dot(residual, residual);
                    var beta = rsNew / rsOld;
                    for (var j = 0; j < k; j++) direction[j] = residual[j] + beta * direction[j];
                    rsOld = rsNew;
                }
            }
        });
    }

    // result = (YᵀY + λI) v + Σ_obs α·r (y·v) y: the row's system matrix times v without forming it (c − 1 = α·r).
    private static void Apply(double[] gram, double[] y, InteractionMatrix r, int from, int to, double alpha, ReadOnlySpan<double> v, Span<double> result)
    {
        var k = v.Length;
        DenseVector.Multiply(gram, v, result);
        for (var e = from; e < to; e++)
        {
            var yi = y.AsSpan(r.Columns[e] * k, k);
            DenseVector.AddScaled(result, alpha * r.Values[e] * DenseVector.Dot(yi, v), yi);
        }
    }

    // YᵀY + λI, k × k row-major, in parallel over item blocks summed in a fixed order.
    internal static double[] Gram(double[] y, int k, int rows, double lambda)
    {
        const int Block = 2048;
        var blocks = (rows + Block - 1) / Block;
        var partial = new double[blocks][];
        Parallel.For(0, blocks, b =>
        {
            var g = new double[k * k];
            for (var i = b * Block; i < Math.Min(rows, (b + 1) * Block); i++)
            {
                var yi = y.AsSpan(i * k, k);
                for (var a = 0; a < k; a++) DenseVector.AddScaled(g.AsSpan(a * k, k), yi[a], yi);
            }
            partial[b] = g;
        });
        var gram = new double[k * k];
        foreach (var g in partial) DenseVector.AddScaled(gram, 1, g);
        for (var a = 0; a < k; a++) gram[a * k + a] += lambda;
        return gram;
    }

    /// <summary>
    /// Eq. (3) without visiting every user-item pair: Σ_all (x·y)² = Σ_u x_uᵀ(YᵀY)x_u, and the observed pairs add
    /// c(1 − s)² − s² with s = x·y.
    /// </summary>
    internal static double Loss(InteractionMatrix r, double[] users, double[] items, ImplicitAlsOptions options)
    {
        var k = options.Factors;
        var gram = Gram(items, k, r.Items, 0);
        var perUser = new double[r.Users];
        Parallel.For(0, r.Users, () => new double[k], (u, _, buffer) =>
        {
            var x = users.AsSpan(u * k, k);
            DenseVector.Multiply(gram, x, buffer);
            var sum = DenseVector.Dot(x, buffer);
            for (var e = r.RowStart[u]; e < r.RowStart[u + 1]; e++)
            {
                var s = DenseVector.Dot(x, items.AsSpan(r.Columns[e] * k, k));
                sum += (1 + options.Alpha * r.Values[e]) * (1 - s) * (1 - s) - s * s;
            }
            perUser[u] = sum;
            return buffer;
        }, _ => { });
        return perUser.Sum() + options.Regularization * (DenseVector.Dot(users, users) + DenseVector.Dot(items, items));
    }

    private static double Normal(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
