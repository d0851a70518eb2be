using Tributary.Analytics.Recommendations;

namespace Tributary.Analytics.Tests.Recommendations;

public sealed class ImplicitAlsTests
{
    [Fact]
    public void SolveRows_OneFactor_MatchesHandComputation()
    {
        // Y = (1, 2, 3), r_u = (1, 0, 2), α = 1, λ = 0.5: A = Σy² + λ + Σ_obs α·r·y² = 14 + 0.5 + (1 + 18) = 33.5,
        // b = Σ_obs (1 + α·r)·y = 2·1 + 3·3 = 11, so x = 11 / 33.5.
        var r = InteractionMatrix.FromTriplets(1, 3, [0, 0], [0, 2], [1, 2]);
        var x = new double[1];
        ImplicitAls.SolveRows(r, [1, 2, 3], x, new ImplicitAlsOptions(Factors: 1, Regularization: 0.5, Alpha: 1, ConjugateGradientSteps: 1), CancellationToken.None);
        Assert.Equal(11 / 33.5, x[0], 12);
    }

    [Fact]
    public void SolveRows_EnoughConjugateGradientSteps_EqualsClosedFormWeightedLeastSquares()
    {
        const int users = 7, items = 9, k = 4;
        var random = new Random(3);
        var (rows, cols, vals) = (new List<int>(), new List<int>(), new List<double>());
        for (var u = 0; u < users; u++)
            for (var i = 0; i < items; i++)
                if (random.NextDouble() < 0.4) { rows.Add(u); cols.Add(i); vals.Add(1 + random.Next(4)); }
        var r = InteractionMatrix.FromTriplets(users, items, rows.ToArray(), cols.ToArray(), vals.ToArray());
        var y = Enumerable.Range(0, items * k).Select(_ => random.NextDouble() - 0.5).ToArray();
        var options = new ImplicitAlsOptions(Factors: k, Regularization: 0.3, Alpha: 2.5, ConjugateGradientSteps: 50);
        var x = new double[users * k];
        ImplicitAls.SolveRows(r, y, x, options, CancellationToken.None);

        // Eq. (4) built densely over every item: (Yᵀ C_u Y + λI) x_u = Yᵀ C_u p(u), solved by Gaussian elimination.
        for (var u = 0; u < users; u++)
        {
            var a = new double[k, k];
            var b = new double[k];
            for (var i = 0; i < items; i++)
            {
                var ru = 0.0;
                for (var e = r.RowStart[u]; e < r.RowStart[u + 1]; e++) if (r.Columns[e] == i) ru = r.Values[e];
                var c = 1 + options.Alpha * ru;
                var p = ru > 0 ? 1 : 0;
                for (var m = 0; m < k; m++)
                {
                    b[m] += c * p * y[i * k + m];
                    for (var n = 0; n < k; n++) a[m, n] += c * y[i * k + m] * y[i * k + n];
                }
            }
            for (var m = 0; m < k; m++) a[m, m] += options.Regularization;
            var exact = Solve(a, b);
            for (var m = 0; m < k; m++) Assert.Equal(exact[m], x[u * k + m], 9);
        }
    }

    [Fact]
    public void Fit_ExactSolves_LossNeverIncreases()
    {
        var r = Blocks(out _);
        var model = ImplicitAls.Fit(r, new ImplicitAlsOptions(Factors: 3, Regularization: 0.1, Alpha: 5, Iterations: 8, ConjugateGradientSteps: 10) { TrackLoss = true }, TestContext.Current.CancellationToken);
        Assert.Equal(8, model.Loss.Count);
        for (var s = 1; s < model.Loss.Count; s++) Assert.True(model.Loss[s] <= model.Loss[s - 1] + 1e-9, $"sweep {s}: {model.Loss[s]} > {model.Loss[s - 1]}");
    }

    [Fact]
    public void Fit_TwoTasteGroups_RanksTheMissingItemOfTheOwnGroupFirst()
    {
        // Two factors for two groups: more would let each user's own items be fitted exactly, the missing one as a zero.
        var r = Blocks(out var missing);
        var model = ImplicitAls.Fit(r, new ImplicitAlsOptions(Factors: 2, Regularization: 0.1, Alpha: 10, Iterations: 10), TestContext.Current.CancellationToken);
        var scores = new double[r.Items];
        for (var u = 0; u < r.Users; u++)
        {
            model.Score(u, scores);
            var (from, to) = (r.RowStart[u], r.RowStart[u + 1]);
            var owned = r.Columns[from..to].ToHashSet();
            var best = TopN.Indexes(scores, 1, owned.Contains)[0];
            Assert.Equal(missing[u], best);
        }
    }

    [Fact]
    public void Fit_SameSeed_SameFactors()
    {
        var r = Blocks(out _);
        var options = new ImplicitAlsOptions(Factors: 3, Iterations: 3, Seed: 7);
        var ct = TestContext.Current.CancellationToken;
        Assert.Equal(ImplicitAls.Fit(r, options, ct).ItemFactors, ImplicitAls.Fit(r, options, ct).ItemFactors);
    }

    [Fact]
    public void Fit_NoInteractions_GivesFactorsNearZeroAndNoError()
    {
        var r = InteractionMatrix.FromTriplets(3, 4, [], [], []);
        var model = ImplicitAls.Fit(r, new ImplicitAlsOptions(Factors: 2, Iterations: 2), TestContext.Current.CancellationToken);
        Assert.All(model.UserFactors, v => Assert.True(Math.Abs(v) < 1e-3));
    }

    // 20 users: the first ten buy items 0–4, the rest items 5–9, each missing one item of their group.
    private static InteractionMatrix Blocks(out int[] missing)
    {
        var (rows, cols) = (new List<int>(), new List<int>());
        missing = new int[20];
        for (var u = 0; u < 20; u++)
        {
            var group = u < 10 ? 0 : 5;
            missing[u] = group + u % 5;
            for (var i = group; i < group + 5; i++)
                if (i != missing[u]) { rows.Add(u); cols.Add(i); }
        }
        return InteractionMatrix.FromTriplets(20, 10, rows.ToArray(), cols.ToArray(), Enumerable.Repeat(1.0, rows.Count).ToArray());
    }

    private static double[] Solve(double[,] a, double[] b)
    {
        var n = b.Length;
        for (var col = 0; col < n; col++)
        {
            var pivot = Enumerable.Range(col, n - col).MaxBy(r => Math.Abs(a[r, col]));
            for (var c = 0; c < n; c++) (a[col, c], a[pivot, c]) = (a[pivot, c], a[col, c]);
            (b[col], b[pivot]) = (b[pivot], b[col]);
            for (var r = col + 1; r < n; r++)
            {
                var f = a[r, col] / a[col, col];
                for (var c = col; c < n; c++) a[r, c] -= f * a[col, c];
                b[r] -= f * b[col];
            }
        }
        var x = new double[n];
        for (var r = n - 1; r >= 0; r--)
        {
            var s = b[r];
            for (var c = r + 1; c < n; c++) s -= a[r, c] * x[c];
            x[r] = s / a[r, r];
        }
        return x;
    }
}
