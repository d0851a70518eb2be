using Tributary.Analytics.Special;

namespace Tributary.Analytics.Fraud;

/// <summary>
/// Isolation Forest (Liu, Ting &amp; Zhou 2008, "Isolation Forest", ICDM) and Extended Isolation Forest (Hariri, Kind &amp;
/// Brunner 2019, "Extended Isolation Forest", IEEE TKDE). Each tree isolates a subsample of ψ rows by random cuts up to the
/// height limit ⌈log2 ψ⌉; a row's anomaly score is s(x, ψ) = 2^(−E[h(x)]/c(ψ)) (eq. 2), near 1 for rows isolated in few
/// cuts and near 0.5 or below for ordinary ones.
/// <para>
/// Missing values: a NaN or infinite value counts as missing and is replaced by the feature's median over the training rows
/// (0 when the feature has no finite value), in fitting and scoring alike. Constant features: a node cuts only along
/// features that vary among its own rows; a node whose rows are all equal is an external node (its size enters through
/// c(size)), so a feature constant in the data is never used. Fewer than two training rows give every row the score 0.5.
/// Scale: the extended method draws each slope per unit of the feature's range in the tree's subsample (the paper's
/// hyperplanes on min–max scaled features), so rescaling a feature does not change the forest's cuts, as for the
/// axis-parallel method.
/// </para>
/// </summary>
public static class IsolationForest
{
    /// <summary>Euler–Mascheroni constant, for H(i) ≈ ln(i) + γ.</summary>
    private const double EulerGamma = 0.5772156649;

    /// <summary>
    /// c(n), the average path length of an unsuccessful search in a binary search tree of n points (Liu et al. 2008, eq. 1):
    /// 2H(n − 1) − 2(n − 1)/n with H(i) ≈ ln(i) + 0.5772156649; c(2) = 1 and c(n) = 0 for n ≤ 1.
    /// </summary>
    public static double AveragePathLength(double n) =>
        n <= 1 ? 0 : n <= 2 ? 1 : 2 * (Math.Log(n - 1) + EulerGamma) - 2 * (n - 1) / n;

    /// <summary>
    /// Fits a forest on <paramref name="values"/>, a row-major matrix of <paramref name="columns"/> features per row.
    /// </summary>
    /// <exception cref="ArgumentException">The matrix is empty or ragged, or an option is out of range.</exception>
    public static IsolationForestModel Fit(double[] values, int columns, IsolationForestOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(values);
        options ??= new IsolationForestOptions();
        if (columns < 1) throw new ArgumentException($"an isolation forest needs at least one feature; got {columns}.", nameof(columns));
        if (values.Length == 0 || values.Length % columns != 0)
            throw new ArgumentException($"the matrix must hold whole rows of {columns} features; got {values.Length} values.", nameof(values));
        if (options.Trees < 1) throw new ArgumentException($"trees must be at least 1; got {options.Trees}.", nameof(options));
        if (options.SampleSize < 2) throw new ArgumentException($"sample_size must be at least 2; got {options.SampleSize}.", nameof(options));
        var extension = options.Method == IsolationMethod.IsolationForest ? 0 : options.ExtensionLevel ?? columns - 1;
        if (extension < 0 || extension > columns - 1)
            throw new ArgumentException($"extension_level must be between 0 and {columns - 1} (dimensions − 1) for {columns} features; got {extension}.", nameof(options));

        var rows = values.Length / columns;
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = options.MaxDegreeOfParallelism };
        var medians = Medians(values, rows, columns, parallel);
        var sampleSize = Math.Min(options.SampleSize, rows);
        var heightLimit = (int)Math.Ceiling(Math.Log2(sampleSize));
        var trees = new TreeBuilder[options.Trees];
        // Each tree draws from its own generator seeded from (seed, tree), so the forest does not depend on thread scheduling.
        Parallel.For(0, options.Trees, parallel, t =>
        {
            var builder = new TreeBuilder(columns, options.Method, extension + 1, heightLimit, new Random(TreeSeed(options.Seed, t)));
            builder.Build(values, rows, sampleSize, medians);
            trees[t] = builder;
        });
        return Assemble(trees, columns, sampleSize, medians, options.MaxDegreeOfParallelism);
    }

    private static IsolationForestModel Assemble(TreeBuilder[] trees, int columns, int sampleSize, double[] medians, int maxDegreeOfParallelism)
    {
        var nodeCount = trees.Sum(t => t.Nodes);
        var termCount = trees.Sum(t => t.Terms.Count);
        var roots = new int[trees.Length];
        var left = new int[nodeCount];
        var value = new double[nodeCount];
        var size = new int[nodeCount];
        var termStart = new int[nodeCount];
        var termEnd = new int[nodeCount];
        var feature = new int[termCount];
        var slope = new double[termCount];
        var intercept = new double[termCount];
        int nodeBase = 0, termBase = 0;
        for (var t = 0; t < trees.Length; t++)
        {
            var tree = trees[t];
            roots[t] = nodeBase;
            for (var i = 0; i < tree.Nodes; i++)
            {
                left[nodeBase + i] = tree.Left[i] < 0 ? -1 : tree.Left[i] + nodeBase;
                value[nodeBase + i] = tree.Value[i];
                size[nodeBase + i] = tree.Size[i];
                termStart[nodeBase + i] = tree.TermStart[i] + termBase;
                termEnd[nodeBase + i] = tree.TermEnd[i] + termBase;
            }
            for (var k = 0; k < tree.Terms.Count; k++)
                (feature[termBase + k], slope[termBase + k], intercept[termBase + k]) = tree.Terms[k];
            nodeBase += tree.Nodes;
            termBase += tree.Terms.Count;
        }
        return new IsolationForestModel(columns, sampleSize, medians, roots, left, value, size, termStart, termEnd, feature, slope, intercept, maxDegreeOfParallelism);
    }

    // SplitMix64 of (seed, tree): well-spread, independent-looking seeds for neighbouring trees.
    private static int TreeSeed(int seed, int tree)
    {
        var z = unchecked(((ulong)(uint)seed << 32 | (uint)tree) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    // Median of each feature's finite values (the mean of the two middle ones for an even count), 0 when there are none.
    private static double[] Medians(double[] values, int rows, int columns, ParallelOptions parallel)
    {
        var medians = new double[columns];
        Parallel.For(0, columns, parallel, j =>
        {
            var column = new double[rows];
            var count = 0;
            for (var i = 0; i < rows; i++)
            {
                var v = values[i * columns + j];
                if (double.IsFinite(v)) column[count++] = v;
            }
            if (count == 0) return;
            var span = column.AsSpan(0, count);
            var upper = OrderStatistics.Select(span, count / 2);
            medians[j] = count % 2 == 1 ? upper : (upper + Max(span[..(count / 2)])) / 2;
        });
        return medians;
    }

    private static double Max(ReadOnlySpan<double> span)
    {
        var max = double.NegativeInfinity;
        foreach (var v in span) if (v > max) max = v;
        return max;
    }

    /// <summary>Grows one isolation tree into flat, tree-local arrays; children of a node are allocated side by side.</summary>
    private sealed class TreeBuilder(int columns, IsolationMethod method, int slopes, int heightLimit, Random random)
    {
        public List<int> Left { get; } = [];
        public List<double> Value { get; } = [];
        public List<int> Size { get; } = [];
        public List<int> TermStart { get; } = [];
        public List<int> TermEnd { get; } = [];
        public List<(int Feature, double Slope, double Intercept)> Terms { get; } = [];
        public int Nodes => Left.Count;

        private double[] _x = [];
        private double[] _projection = [];
        private readonly double[] _min = new double[columns];
        private readonly double[] _max = new double[columns];
        private readonly int[] _varying = new int[columns];
        private readonly double[] _scale = new double[columns];

        public void Build(double[] values, int rows, int sampleSize, double[] medians)
        {
            // The subsample, imputed, copied into a small local matrix.
            _x = new double[sampleSize * columns];
            _projection = new double[sampleSize];
            var chosen = Subsample(rows, sampleSize);
            for (var s = 0; s < sampleSize; s++)
                for (var j = 0; j < columns; j++)
                {
                    var v = values[chosen[s] * columns + j];
                    _x[s * columns + j] = double.IsFinite(v) ? v : medians[j];
                }
            var index = new int[sampleSize];
            for (var s = 0; s < sampleSize; s++) index[s] = s;
            // Slopes are drawn per unit of each feature's range in the subsample: the paper's hyperplanes on min–max scaled
            // features, so a feature's unit (dollars against counts) does not decide the direction of the cuts.
            Bounds(index, 0, sampleSize);
            for (var j = 0; j < columns; j++) _scale[j] = _max[j] > _min[j] ? _max[j] - _min[j] : 1;
            AddNode();
            Grow(0, index, 0, sampleSize, 0);
        }

        // ψ distinct rows: all of them when there are no more, else rejection (cheap while ψ is far below the row count)
        // or a partial Fisher–Yates shuffle when ψ is a large share.
        private int[] Subsample(int rows, int sampleSize)
        {
            if (sampleSize == rows) return Enumerable.Range(0, rows).ToArray();
            if (sampleSize * 4 <= rows)
            {
                var seen = new HashSet<int>(sampleSize);
                var picked = new int[sampleSize];
                for (var s = 0; s < sampleSize;)
                {
                    var r = random.Next(rows);
                    if (seen.Add(r)) picked[s++] = r;
                }
                return picked;
            }
            var all = Enumerable.Range(0, rows).ToArray();
            for (var s = 0; s < sampleSize; s++)
            {
                var r = s + random.Next(rows - s);
                (all[s], all[r]) = (all[r], all[s]);
            }
            return all[..sampleSize];
        }

        private int AddNode()
        {
            Left.Add(-1);
            Value.Add(0);
            Size.Add(0);
            TermStart.Add(Terms.Count);
            TermEnd.Add(Terms.Count);
            return Left.Count - 1;
        }

        private void Grow(int node, int[] index, int from, int to, int depth)
        {
            var m = to - from;
            Size[node] = m;
            var varying = m > 1 && depth < heightLimit ? Bounds(index, from, to) : 0;
            if (varying == 0)
            {
                // External node: the path length so far plus the expected length of the unbuilt subtree, h(x) = e + c(size) (Liu et al. 2008, §4.2).
                Value[node] = depth + AveragePathLength(m);
                return;
            }
            var terms = Math.Min(method == IsolationMethod.IsolationForest ? 1 : slopes, varying);
            // A random subset of the varying features: a partial Fisher–Yates shuffle of their list.
            for (var k = 0; k < terms; k++)
            {
                var r = k + random.Next(varying - k);
                (_varying[k], _varying[r]) = (_varying[r], _varying[k]);
            }
            TermStart[node] = Terms.Count;
            double offset = 0;
            for (var k = 0; k < terms; k++)
            {
                var j = _varying[k];
                // Liu et al. 2008: slope 1 on one feature. Hariri et al. 2019, Algorithm 2: slope n_j ~ N(0, 1), intercept p_j ~ U(min_j, max_j).
                var n = method == IsolationMethod.IsolationForest ? 1.0 : Gaussian() / _scale[j];
                var p = _min[j] + random.NextDouble() * (_max[j] - _min[j]);
                offset += n * p;
                Terms.Add((j, n, p));
            }
            TermEnd[node] = Terms.Count;
            Value[node] = offset;

            // Branch on (x − p)·n ≤ 0, i.e. x·n ≤ p·n (Hariri et al. 2019, eq. 3); with slope 1 that is x_q ≤ p.
            var lo = from;
            var hi = to - 1;
            while (lo <= hi)
            {
                if (Project(index[lo], node) <= offset) lo++;
                else { (index[lo], index[hi]) = (index[hi], index[lo]); hi--; }
            }
            var child = AddNode();
            AddNode();
            Left[node] = child;
            Grow(child, index, from, lo, depth + 1);
            Grow(child + 1, index, lo, to, depth + 1);
        }

        private double Project(int row, int node)
        {
            double sum = 0;
            for (var k = TermStart[node]; k < TermEnd[node]; k++) sum += Terms[k].Slope * _x[row * columns + Terms[k].Feature];
            return sum;
        }

        // Bounding box of the node's rows; returns how many features vary among them, listed in _varying.
        private int Bounds(int[] index, int from, int to)
        {
            Array.Fill(_min, double.PositiveInfinity);
            Array.Fill(_max, double.NegativeInfinity);
            for (var i = from; i < to; i++)
            {
                var row = index[i] * columns;
                for (var j = 0; j < columns; j++)
                {
                    var v = _x[row + j];
                    if (v < _min[j]) _min[j] = v;
                    if (v > _max[j]) _max[j] = v;
                }
            }
            var varying = 0;
            for (var j = 0; j < columns; j++)
                if (_max[j] > _min[j]) _varying[varying++] = j;
            return varying;
        }

        // Box–Muller.
        private double Gaussian()
        {
            var u1 = 1.0 - random.NextDouble();
            var u2 = random.NextDouble();
            return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
