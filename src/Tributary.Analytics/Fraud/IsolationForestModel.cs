namespace Tributary.Analytics.Fraud;

/// <summary>
/// A fitted isolation forest, immutable and safe to share between threads. Nodes of every tree sit in flat arrays: an
/// internal node tests x·n ≤ value over its terms (feature, slope) and goes to <c>left</c> or <c>left + 1</c>; an external
/// node holds its path length e + c(size) in value.
/// </summary>
public sealed class IsolationForestModel
{
    private const int Block = 1024;
    private readonly int[] _roots;
    private readonly int[] _left;
    private readonly double[] _value;
    private readonly int[] _size;
    private readonly int[] _termStart;
    private readonly int[] _termEnd;
    private readonly int[] _feature;
    private readonly double[] _slope;
    private readonly double[] _intercept;
    private readonly double[] _medians;
    private readonly int _maxDegreeOfParallelism;

    internal IsolationForestModel(int columns, int sampleSize, double[] medians, int[] roots, int[] left, double[] value, int[] size,
        int[] termStart, int[] termEnd, int[] feature, double[] slope, double[] intercept, int maxDegreeOfParallelism)
    {
        (Columns, SampleSize, _medians, _roots, _left, _value, _size) = (columns, sampleSize, medians, roots, left, value, size);
        (_termStart, _termEnd, _feature, _slope, _intercept, _maxDegreeOfParallelism) = (termStart, termEnd, feature, slope, intercept, maxDegreeOfParallelism);
        Normalizer = IsolationForest.AveragePathLength(sampleSize);
    }

    /// <summary>Features per row.</summary>
    public int Columns { get; }

    /// <summary>Rows each tree was grown on, ψ (the option, or the row count when smaller).</summary>
    public int SampleSize { get; }

    /// <summary>Trees in the forest.</summary>
    public int Trees => _roots.Length;

    /// <summary>Nodes over all trees.</summary>
    public int Nodes => _left.Length;

    /// <summary>c(ψ), the path length that scores 0.5.</summary>
    public double Normalizer { get; }

    /// <summary>The training median of each feature, which stands in for a missing (NaN or infinite) value.</summary>
    public IReadOnlyList<double> Medians => _medians;

    /// <summary>The number of non-zero slope terms of each internal node, in node order (for tests of the cut shapes).</summary>
    internal IEnumerable<int> TermsPerInternalNode()
    {
        for (var i = 0; i < _left.Length; i++)
            if (_left[i] >= 0) yield return _termEnd[i] - _termStart[i];
    }

    /// <summary>Anomaly scores s(x, ψ) in (0, 1] of the rows of a row-major matrix; the same for a seed whatever the thread count.</summary>
    public double[] Score(double[] values, CancellationToken cancellationToken = default) => Evaluate(values, explain: false, cancellationToken).Scores;

    /// <summary>
    /// Anomaly scores with an explanation per row: the feature whose cuts separated the row most from its neighbours, and
    /// each feature's mean share of that credit over all rows (see <see cref="IsolationScores"/>).
    /// </summary>
    public IsolationScores Explain(double[] values, CancellationToken cancellationToken = default) => Evaluate(values, explain: true, cancellationToken);

    /// <summary>
    /// Scores one row; when <paramref name="credit"/> is not empty (one slot per feature) it receives each feature's isolation
    /// credit (see <see cref="IsolationScores"/>). For online scoring; the batch methods give the same numbers.
    /// </summary>
    public double ScoreRow(ReadOnlySpan<double> row, Span<double> credit)
    {
        if (row.Length != Columns) throw new ArgumentException($"a row must hold {Columns} features; got {row.Length}.", nameof(row));
        if (!credit.IsEmpty && credit.Length != Columns) throw new ArgumentException($"credit must hold {Columns} slots; got {credit.Length}.", nameof(credit));
        Span<double> x = stackalloc double[Columns];
        Impute(row, x);
        credit.Clear();
        double total = 0;
        for (var t = 0; t < _roots.Length; t++) total += PathLength(_roots[t], x, credit);
        return ToScore(total);
    }

    private const int FormatVersion = 1;

    /// <summary>Writes the fitted forest as bytes (little-endian, versioned) that <see cref="Read"/> turns back into the same model.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            w.Write(FormatVersion);
            w.Write(Columns);
            w.Write(SampleSize);
            w.Write(_maxDegreeOfParallelism);
            foreach (var a in new[] { _roots, _left, _size, _termStart, _termEnd, _feature }) Write(w, a);
            foreach (var a in new[] { _value, _slope, _intercept, _medians }) Write(w, a);
        }
        return stream.ToArray();
    }

    /// <summary>A model from the bytes of <see cref="ToBytes"/>; scores the same rows to the same numbers.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a stored forest of this version.</exception>
    public static IsolationForestModel Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes));
            if (r.ReadInt32() is var version && version != FormatVersion) throw new InvalidDataException($"stored forest format {version}; this version reads {FormatVersion}.");
            var (columns, sampleSize, parallelism) = (r.ReadInt32(), r.ReadInt32(), r.ReadInt32());
            var ints = Enumerable.Range(0, 6).Select(_ => ReadInts(r)).ToArray();
            var doubles = Enumerable.Range(0, 4).Select(_ => ReadDoubles(r)).ToArray();
            return new IsolationForestModel(columns, sampleSize, doubles[3], ints[0], ints[1], doubles[0], ints[2], ints[3], ints[4], ints[5], doubles[1], doubles[2], parallelism);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("the stored forest is cut short.", e);
        }
    }

    private static void Write<T>(BinaryWriter w, T[] values) where T : unmanaged
    {
        w.Write(values.Length);
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static int[] ReadInts(BinaryReader r) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, int>(ReadExactly(r, sizeof(int))).ToArray();

    private static double[] ReadDoubles(BinaryReader r) => System.Runtime.InteropServices.MemoryMarshal.Cast<byte, double>(ReadExactly(r, sizeof(double))).ToArray();

    private static byte[] ReadExactly(BinaryReader r, int size)
    {
        var count = r.ReadInt32();
        if (count < 0) throw new InvalidDataException("the stored forest has a negative length.");
        var bytes = r.ReadBytes(checked(count * size));
        return bytes.Length == count * size ? bytes : throw new EndOfStreamException();
    }

    private IsolationScores Evaluate(double[] values, bool explain, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (values.Length % Columns != 0) throw new ArgumentException($"the matrix must hold whole rows of {Columns} features; got {values.Length} values.", nameof(values));
        var rows = values.Length / Columns;
        var scores = new double[rows];
        var top = explain ? new int[rows] : [];
        var blocks = (rows + Block - 1) / Block;
        var blockShares = explain ? new double[blocks * Columns] : [];
        var parallel = new ParallelOptions { CancellationToken = cancellationToken, MaxDegreeOfParallelism = _maxDegreeOfParallelism };
        // Fixed blocks, each tree over the whole block in turn (a tree stays in cache), and per-block sums added in block
        // order afterwards: the numbers do not depend on the thread count.
        Parallel.For(0, blocks, parallel, () => new Buffers(Columns, explain), (b, _, buffers) =>
        {
            var (x, depth, credit) = (buffers.X, buffers.Depth, buffers.Credit);
            var (from, to) = (b * Block, Math.Min(rows, (b + 1) * Block));
            var count = to - from;
            for (var i = 0; i < count; i++) Impute(values.AsSpan((from + i) * Columns, Columns), x.AsSpan(i * Columns, Columns));
            Array.Clear(depth);
            Array.Clear(credit);
            for (var t = 0; t < _roots.Length; t++)
                for (var i = 0; i < count; i++)
                    depth[i] += PathLength(_roots[t], x.AsSpan(i * Columns, Columns), explain ? credit.AsSpan(i * Columns, Columns) : default);
            for (var i = 0; i < count; i++) scores[from + i] = ToScore(depth[i]);
            if (!explain) return buffers;
            var sums = blockShares.AsSpan(b * Columns, Columns);
            for (var i = 0; i < count; i++)
            {
                var c = credit.AsSpan(i * Columns, Columns);
                var (best, total) = (0, 0.0);
                for (var j = 0; j < Columns; j++)
                {
                    total += c[j];
                    if (c[j] > c[best]) best = j;
                }
                top[from + i] = best;
                if (total > 0) for (var j = 0; j < Columns; j++) sums[j] += c[j] / total;
            }
            return buffers;
        }, _ => { });
        var importance = new double[explain ? Columns : 0];
        if (explain && rows > 0)
        {
            for (var b = 0; b < blocks; b++)
                for (var j = 0; j < Columns; j++) importance[j] += blockShares[b * Columns + j];
            for (var j = 0; j < Columns; j++) importance[j] /= rows;
        }
        return new IsolationScores(scores, top, importance);
    }

    private sealed class Buffers(int columns, bool explain)
    {
        public double[] X { get; } = new double[Block * columns];
        public double[] Depth { get; } = new double[Block];
        public double[] Credit { get; } = explain ? new double[Block * columns] : [];
    }

    private void Impute(ReadOnlySpan<double> row, Span<double> x)
    {
        for (var j = 0; j < row.Length; j++) x[j] = double.IsFinite(row[j]) ? row[j] : _medians[j];
    }

    // Eq. 2; a forest grown on fewer than two rows cannot tell rows apart and scores them all 0.5.
    private double ToScore(double totalDepth) => Normalizer > 0 ? Math.Pow(2, -totalDepth / _roots.Length / Normalizer) : 0.5;

    // h(x) in one tree; credit[j] gains, at each cut on x's path, the share of the node's rows the cut separates from x,
    // split between the cut's features by their part of x's distance from the hyperplane, |n_j (x_j − p_j)|.
    // Optimized from its first call: online scoring runs it 100 times a request, and a server busy with other new code
    // can keep it at the unoptimized tier for many seconds (seen in a profile of POST /api/score/transaction).
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private double PathLength(int node, ReadOnlySpan<double> x, Span<double> credit)
    {
        while (_left[node] >= 0)
        {
            double sum = 0;
            for (var k = _termStart[node]; k < _termEnd[node]; k++) sum += _slope[k] * x[_feature[k]];
            var child = sum <= _value[node] ? _left[node] : _left[node] + 1;
            if (!credit.IsEmpty)
            {
                var separated = (double)(_size[node] - _size[child]) / _size[node];
                double distance = 0;
                for (var k = _termStart[node]; k < _termEnd[node]; k++) distance += Math.Abs(_slope[k] * (x[_feature[k]] - _intercept[k]));
                for (var k = _termStart[node]; k < _termEnd[node]; k++)
                    credit[_feature[k]] += separated * (distance > 0 ? Math.Abs(_slope[k] * (x[_feature[k]] - _intercept[k])) / distance : 1.0 / (_termEnd[node] - _termStart[node]));
            }
            node = child;
        }
        return _value[node];
    }
}
