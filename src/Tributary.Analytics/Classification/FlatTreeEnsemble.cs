using System.Reflection;
using Microsoft.ML.Trainers.FastTree;

namespace Tributary.Analytics.Classification;

/// <summary>
/// A trained tree ensemble copied out of ML.NET into flat arrays and evaluated here: margins in batches, parallel over
/// rows, with no allocation per row, and per-feature contributions by Saabas's path attribution (Saabas 2014,
/// "Interpreting random forests"): along a row's path every split moves the expected output from the node's to the
/// child's, and that change goes to the split's feature, so a row's contributions sum to its margin minus the bias (the
/// expected output at the roots). A node's expected output is the mean of the leaf values below it weighted by how many
/// training rows reached each leaf. Unlike TreeSHAP (Lundberg et al. 2018), which averages over every order of the
/// features and is consistent, Saabas credits the features in the order the tree tests them, so a feature near the root
/// can take credit an interaction shares; it costs one pass down the path against TreeSHAP's O(depth²) per leaf.
/// The margin is rounded to float as ML.NET's Score column is, so every calibration fitted on it is unchanged.
/// </summary>
public sealed class FlatTreeEnsemble
{
    // Internal nodes of every tree, numbered globally; a child c < 0 is global leaf ~c.
    private readonly int[] _feature;
    private readonly float[] _threshold;
    private readonly float[] _missingAs;
    private readonly int[] _left;
    private readonly int[] _right;
    // Expected output of each internal node (tree weight applied).
    private readonly double[] _nodeMean;
    // Output of each leaf (tree weight applied).
    private readonly double[] _leafValue;
    // Each tree's root: an internal node, or ~leaf for a tree that is a single leaf.
    private readonly int[] _root;
    private readonly double _bias;

    /// <summary>Flattens <paramref name="trees"/>; <paramref name="trainingRows"/> give the counts behind the expected outputs.</summary>
    /// <param name="trees">The trees, in the order the ensemble sums them.</param>
    /// <param name="bias">Constant added to the trees' sum.</param>
    /// <param name="trainingRows">The rows the trees were trained on (a node no row reached weighs its children equally).</param>
    /// <param name="features">Row length.</param>
    public FlatTreeEnsemble(IReadOnlyList<FlatTree> trees, double bias, IReadOnlyList<float[]> trainingRows, int features)
    {
        Features = features;
        _bias = bias;
        var nodes = trees.Sum(t => t.Feature.Length);
        var leaves = trees.Sum(t => Math.Max(1, t.LeafValues.Length));
        (_feature, _threshold, _missingAs, _left, _right, _nodeMean) = (new int[nodes], new float[nodes], new float[nodes], new int[nodes], new int[nodes], new double[nodes]);
        _leafValue = new double[leaves];
        _root = new int[trees.Count];
        int nodeBase = 0, leafBase = 0;
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            for (var n = 0; n < tree.Feature.Length; n++)
            {
                if ((uint)tree.Feature[n] >= (uint)features) throw new ArgumentException($"tree {t} splits on feature {tree.Feature[n]} of {features}.", nameof(trees));
                _feature[nodeBase + n] = tree.Feature[n];
                _threshold[nodeBase + n] = tree.Threshold[n];
                _missingAs[nodeBase + n] = tree.MissingAs[n];
                _left[nodeBase + n] = Global(tree.Left[n]);
                _right[nodeBase + n] = Global(tree.Right[n]);
            }
            for (var l = 0; l < Math.Max(1, tree.LeafValues.Length); l++)
                _leafValue[leafBase + l] = l < tree.LeafValues.Length ? tree.Weight * tree.LeafValues[l] : 0;
            _root[t] = tree.Feature.Length == 0 ? ~leafBase : nodeBase;
            int Global(int child) => child >= 0 ? nodeBase + child : ~(leafBase + ~child);
            nodeBase += tree.Feature.Length;
            leafBase += Math.Max(1, tree.LeafValues.Length);
        }
        var counts = LeafCounts(trainingRows);
        foreach (var root in _root)
            if (root >= 0) Mean(root, counts);
        Bias = _bias + _root.Sum(r => r >= 0 ? _nodeMean[r] : _leafValue[~r]);
    }

    private FlatTreeEnsemble(int features, double bias, double expected, int[] feature, float[] threshold, float[] missingAs, int[] left, int[] right,
        double[] nodeMean, double[] leafValue, int[] root)
    {
        (Features, _bias, Bias) = (features, bias, expected);
        (_feature, _threshold, _missingAs, _left, _right, _nodeMean, _leafValue, _root) = (feature, threshold, missingAs, left, right, nodeMean, leafValue, root);
    }

    private const int FormatVersion = 1;

    /// <summary>The ensemble as bytes (for a model table); <see cref="Read"/> gives back one that scores every row the same.</summary>
    public byte[] ToBytes()
    {
        using var stream = new MemoryStream();
        using (var w = new BinaryWriter(stream))
        {
            w.Write(FormatVersion);
            w.Write(Features);
            w.Write(_bias);
            w.Write(Bias);
            foreach (var a in new[] { _feature, _left, _right, _root }) Write(w, a);
            foreach (var a in new[] { _threshold, _missingAs }) Write(w, a);
            foreach (var a in new[] { _nodeMean, _leafValue }) Write(w, a);
        }
        return stream.ToArray();
    }

    /// <summary>An ensemble from the bytes of <see cref="ToBytes"/>.</summary>
    /// <exception cref="InvalidDataException">The bytes are not a stored ensemble of this version, or are inconsistent.</exception>
    public static FlatTreeEnsemble Read(byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        try
        {
            using var r = new BinaryReader(new MemoryStream(bytes));
            if (r.ReadInt32() is var version && version != FormatVersion) throw new InvalidDataException($"stored tree ensemble format {version}; this version reads {FormatVersion}.");
            var (features, bias, expected) = (r.ReadInt32(), r.ReadDouble(), r.ReadDouble());
            var (feature, left, right, root) = (Read<int>(r), Read<int>(r), Read<int>(r), Read<int>(r));
            var (threshold, missingAs) = (Read<float>(r), Read<float>(r));
            var (nodeMean, leafValue) = (Read<double>(r), Read<double>(r));
            var nodes = feature.Length;
            // Every index is checked once here, so that scoring cannot run off the arrays.
            bool Child(int c) => c >= 0 ? c < nodes : ~c < leafValue.Length;
            if (new[] { threshold.Length, missingAs.Length, left.Length, right.Length, nodeMean.Length }.Any(n => n != nodes)
                || feature.Any(f => (uint)f >= (uint)features) || !left.All(Child) || !right.All(Child) || !root.All(Child))
                throw new InvalidDataException("the stored tree ensemble is inconsistent.");
            return new FlatTreeEnsemble(features, bias, expected, feature, threshold, missingAs, left, right, nodeMean, leafValue, root);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException("the stored tree ensemble is cut short.", e);
        }
    }

    private static void Write<T>(BinaryWriter w, T[] values) where T : unmanaged
    {
        w.Write(values.Length);
        w.Write(System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static T[] Read<T>(BinaryReader r) where T : unmanaged
    {
        var count = r.ReadInt32();
        var size = System.Runtime.CompilerServices.Unsafe.SizeOf<T>();
        if (count < 0) throw new InvalidDataException("the stored tree ensemble has a negative length.");
        var bytes = r.ReadBytes(checked(count * size));
        if (bytes.Length != count * size) throw new EndOfStreamException();
        return System.Runtime.InteropServices.MemoryMarshal.Cast<byte, T>(bytes).ToArray();
    }

    /// <summary>Row length the ensemble reads.</summary>
    public int Features { get; }

    /// <summary>The expected margin over the training rows: what the contributions of a row are measured from.</summary>
    public double Bias { get; }

    /// <summary>Copies a trained LightGBM or FastTree ensemble out of ML.NET; <paramref name="trainingRows"/> as in the constructor.</summary>
    /// <exception cref="NotSupportedException">The ensemble has categorical splits (the trainers here declare no categorical features).</exception>
    public static FlatTreeEnsemble FromMlNet(RegressionTreeEnsemble ensemble, IReadOnlyList<float[]> trainingRows, int features)
    {
        var trees = new List<FlatTree>(ensemble.Trees.Count);
        for (var t = 0; t < ensemble.Trees.Count; t++)
        {
            var tree = ensemble.Trees[t];
            if (tree.CategoricalSplitFlags.Any(c => c)) throw new NotSupportedException("categorical splits are not evaluated here.");
            var thresholds = tree.NumericalSplitThresholds.ToArray();
            trees.Add(new FlatTree(tree.NumericalSplitFeatureIndexes.ToArray(), thresholds, MissingValues(tree, thresholds), tree.LeftChild.ToArray(),
                tree.RightChild.ToArray(), tree.LeafValues.ToArray(), ensemble.TreeWeights[t]));
        }
        return new FlatTreeEnsemble(trees, ensemble.Bias, trainingRows, features);
    }

    /// <summary>The margin of one row.</summary>
    public double Margin(ReadOnlySpan<float> row)
    {
        double sum = 0;
        foreach (var root in _root) sum += _leafValue[~Leaf(root, row)];
        return (float)(sum + _bias);
    }

    /// <summary>Margins of every row, parallel over rows.</summary>
    public double[] Margins(IReadOnlyList<float[]> rows)
    {
        var result = new double[rows.Count];
        Parallel.For(0, Chunks(rows.Count), c =>
        {
            var (from, to) = Chunk(c, rows.Count);
            for (var i = from; i < to; i++) result[i] = Margin(rows[i]);
        });
        return result;
    }

    /// <summary>One row's margin and its contribution per feature into <paramref name="parts"/> (length <see cref="Features"/>, overwritten).</summary>
    public double Contributions(ReadOnlySpan<float> row, Span<double> parts)
    {
        parts.Clear();
        double sum = 0;
        foreach (var root in _root)
        {
            var node = root;
            var expected = node >= 0 ? _nodeMean[node] : _leafValue[~node];
            while (node >= 0)
            {
                var child = Next(node, row);
                var childExpected = child >= 0 ? _nodeMean[child] : _leafValue[~child];
                parts[_feature[node]] += childExpected - expected;
                (node, expected) = (child, childExpected);
            }
            sum += _leafValue[~node];
        }
        return (float)(sum + _bias);
    }

    /// <summary>Margins and contributions (as float, one array per row) of every row, parallel over rows.</summary>
    public (double[] Margins, float[][] Contributions) MarginsAndContributions(IReadOnlyList<float[]> rows)
    {
        var margins = new double[rows.Count];
        var contributions = new float[rows.Count][];
        Parallel.For(0, Chunks(rows.Count), c =>
        {
            var (from, to) = Chunk(c, rows.Count);
            var parts = new double[Features];
            for (var i = from; i < to; i++)
            {
                margins[i] = Contributions(rows[i], parts);
                var row = new float[Features];
                for (var k = 0; k < row.Length; k++) row[k] = (float)parts[k];
                contributions[i] = row;
            }
        });
        return (margins, contributions);
    }

    // The leaf (as ~global leaf) a row reaches from a root.
    private int Leaf(int node, ReadOnlySpan<float> row)
    {
        while (node >= 0) node = Next(node, row);
        return node;
    }

    private int Next(int node, ReadOnlySpan<float> row)
    {
        var value = row[_feature[node]];
        if (float.IsNaN(value))
        {
            // LightGBM sets missing values apart with a split at +∞ (every value left, missing right); ML.NET's value
            // for missing there is +∞ itself, which would go left with the values.
            if (float.IsPositiveInfinity(_threshold[node])) return _right[node];
            value = _missingAs[node];
        }
        return value <= _threshold[node] ? _left[node] : _right[node];
    }

    // Training rows per global leaf, counted in parallel chunks.
    private long[] LeafCounts(IReadOnlyList<float[]> rows)
    {
        var counts = new long[_leafValue.Length];
        var gate = new object();
        Parallel.For(0, Chunks(rows.Count), () => new long[_leafValue.Length], (c, _, local) =>
        {
            var (from, to) = Chunk(c, rows.Count);
            for (var i = from; i < to; i++)
            {
                if (rows[i].Length != Features) throw new ArgumentException($"row {i} has {rows[i].Length} features, not {Features}.", nameof(rows));
                foreach (var root in _root) local[~Leaf(root, rows[i])]++;
            }
            return local;
        }, local =>
        {
            lock (gate)
                for (var l = 0; l < local.Length; l++) counts[l] += local[l];
        });
        return counts;
    }

    // Fills the expected output of a node and those below it; returns the training rows that reached it.
    private long Mean(int node, long[] counts)
    {
        var (left, right) = (_left[node], _right[node]);
        var nl = left >= 0 ? Mean(left, counts) : counts[~left];
        var nr = right >= 0 ? Mean(right, counts) : counts[~right];
        var ml = left >= 0 ? _nodeMean[left] : _leafValue[~left];
        var mr = right >= 0 ? _nodeMean[right] : _leafValue[~right];
        _nodeMean[node] = nl + nr == 0 ? (ml + mr) / 2 : (nl * ml + nr * mr) / (nl + nr);
        return nl + nr;
    }

    private const int ChunkRows = 2048;

    private static int Chunks(int rows) => (rows + ChunkRows - 1) / ChunkRows;

    private static (int From, int To) Chunk(int chunk, int rows) => (chunk * ChunkRows, Math.Min(rows, (chunk + 1) * ChunkRows));

    // LightGBM's default direction for missing values reaches ML.NET only as an internal per-node "value for missing"
    // (WrappedLightGbmBooster: the threshold when missing goes left, above it when right); the public tree does not
    // expose it, so it is read by reflection. Without it ML.NET leaves NaN as it is, which goes right (NaN ≤ t is false).
    private static float[] MissingValues(RegressionTree tree, float[] thresholds)
    {
        const BindingFlags Any = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        var inner = typeof(RegressionTreeBase).GetField("_tree", Any)?.GetValue(tree);
        var member = inner?.GetType().GetProperty("DefaultValueForMissing", Any)?.GetValue(inner)
            ?? inner?.GetType().GetField("DefaultValueForMissing", Any)?.GetValue(inner)
            ?? inner?.GetType().GetField("_defaultValueForMissing", Any)?.GetValue(inner);
        if (member is float[] values && values.Length == thresholds.Length) return values;
        return Enumerable.Repeat(float.NaN, thresholds.Length).ToArray();
    }
}
