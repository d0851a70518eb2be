namespace Tributary.Analytics.Recommendations;

/// <summary>
/// Why implicit ALS recommends an item, after Hu, Koren &amp; Volinsky (2008), §5: with user u's weighting matrix
/// W^u = (YᵀC^uY + λI)⁻¹, the exact solution of eq. (4) makes the predicted preference a sum over the user's history,
/// p̂_ui = Σ_{j: r_uj &gt; 0} s^u_ij c_uj p_uj with s^u_ij = y_iᵀ W^u y_j; the item j with the largest term explains i.
/// One instance serves every user of a fit (it holds YᵀY + λI); <see cref="For"/> prepares one user and is not shared between threads.
/// </summary>
public sealed class AlsExplanation
{
    private readonly double[] _items;
    private readonly int _k;
    private readonly double _alpha;
    private readonly double[] _gram;

    /// <summary>Prepares explanations for item factors <paramref name="itemFactors"/> (items × <paramref name="factors"/>, row-major).</summary>
    public AlsExplanation(double[] itemFactors, int factors, double regularization, double alpha)
    {
        ArgumentNullException.ThrowIfNull(itemFactors);
        if (factors < 1 || itemFactors.Length % factors != 0) throw new ArgumentException($"item factors of length {itemFactors.Length} do not split into rows of {factors}.");
        (_items, _k, _alpha) = (itemFactors, factors, alpha);
        _gram = ImplicitAls.Gram(itemFactors, factors, itemFactors.Length / factors, regularization);
    }

    /// <summary>
    /// User <paramref name="history"/> (item indexes, with their weights r_uj &gt; 0) prepared for <see cref="UserExplanation.Contributions"/>
    /// and <see cref="UserExplanation.Because"/>; null when W^u does not exist (λ = 0 and too few items to span the factors).
    /// </summary>
    public UserExplanation? For(ReadOnlySpan<int> history, ReadOnlySpan<double> weights)
    {
        var k = _k;
        // A = YᵀY + λI + Σ_j (c_uj − 1) y_j y_jᵀ, the matrix of eq. (4); then its Cholesky factor in place.
        var a = (double[])_gram.Clone();
        for (var e = 0; e < history.Length; e++)
        {
            var y = Item(history[e]);
            var c1 = _alpha * weights[e];
            for (var r = 0; r < k; r++) DenseVector.AddScaled(a.AsSpan(r * k, k), c1 * y[r], y);
        }
        if (!Cholesky(a, k)) return null;
        // z_j = W^u y_j for each history item, so that s^u_ij = y_i · z_j.
        var z = new double[history.Length * k];
        for (var e = 0; e < history.Length; e++)
        {
            var zj = z.AsSpan(e * k, k);
            Item(history[e]).CopyTo(zj);
            Solve(a, k, zj);
        }
        var confidence = new double[history.Length];
        for (var e = 0; e < history.Length; e++) confidence[e] = 1 + _alpha * weights[e];
        return new UserExplanation(this, history.ToArray(), z, confidence);
    }

    private ReadOnlySpan<double> Item(int item) => _items.AsSpan(item * _k, _k);

    // Lower Cholesky factor of a symmetric positive definite k × k matrix, written over its lower triangle; false when not positive definite.
    private static bool Cholesky(double[] a, int k)
    {
        for (var j = 0; j < k; j++)
        {
            var d = a[j * k + j];
            for (var p = 0; p < j; p++) d -= a[j * k + p] * a[j * k + p];
            if (!(d > 1e-12)) return false;
            var l = Math.Sqrt(d);
            a[j * k + j] = l;
            for (var i = j + 1; i < k; i++)
            {
                var s = a[i * k + j];
                for (var p = 0; p < j; p++) s -= a[i * k + p] * a[j * k + p];
                a[i * k + j] = s / l;
            }
        }
        return true;
    }

    // Solves L Lᵀ x = b in place with the factor of Cholesky.
    private static void Solve(double[] l, int k, Span<double> b)
    {
        for (var i = 0; i < k; i++)
        {
            var s = b[i];
            for (var p = 0; p < i; p++) s -= l[i * k + p] * b[p];
            b[i] = s / l[i * k + i];
        }
        for (var i = k - 1; i >= 0; i--)
        {
            var s = b[i];
            for (var p = i + 1; p < k; p++) s -= l[p * k + i] * b[p];
            b[i] = s / l[i * k + i];
        }
    }

    /// <summary>One user's history with W^u applied to each of its items.</summary>
    public sealed class UserExplanation
    {
        private readonly AlsExplanation _model;
        private readonly int[] _history;
        private readonly double[] _z;
        private readonly double[] _confidence;

        internal UserExplanation(AlsExplanation model, int[] history, double[] z, double[] confidence) =>
            (_model, _history, _z, _confidence) = (model, history, z, confidence);

        /// <summary>The term s^u_ij c_uj of each history item j (in the order given to <see cref="For"/>) toward item <paramref name="item"/>; they sum to p̂_ui.</summary>
        public void Contributions(int item, Span<double> contributions)
        {
            var y = _model.Item(item);
            var k = _model._k;
            for (var e = 0; e < _history.Length; e++) contributions[e] = _confidence[e] * DenseVector.Dot(y, _z.AsSpan(e * k, k));
        }

        /// <summary>The history item contributing most to item <paramref name="item"/>'s predicted preference, or -1 when none contributes positively.</summary>
        public int Because(int item)
        {
            var y = _model.Item(item);
            var k = _model._k;
            var (best, bestTerm) = (-1, 0.0);
            for (var e = 0; e < _history.Length; e++)
            {
                if (_history[e] == item) continue;
                var term = _confidence[e] * DenseVector.Dot(y, _z.AsSpan(e * k, k));
                if (term > bestTerm) (best, bestTerm) = (_history[e], term);
            }
            return best;
        }
    }
}
