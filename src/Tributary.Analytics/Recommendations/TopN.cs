namespace Tributary.Analytics.Recommendations;

/// <summary>The n best of many candidates by score, ties broken by the smaller key, so results do not depend on input order.</summary>
public static class TopN
{
    /// <summary>The <paramref name="n"/> candidates with the highest score, best first.</summary>
    public static List<T> Select<T>(IEnumerable<T> candidates, int n, Func<T, double> score, Func<T, int> key)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        ArgumentNullException.ThrowIfNull(score);
        ArgumentNullException.ThrowIfNull(key);
        // A min-heap of the n best so far: its root is the worst kept.
        var heap = new PriorityQueue<T, (double Score, int Key)>(n + 1, Worse.Instance);
        foreach (var c in candidates)
        {
            if (n <= 0) break;
            var s = score(c);
            if (double.IsNaN(s)) continue;
            heap.Enqueue(c, (s, key(c)));
            if (heap.Count > n) heap.Dequeue();
        }
        var result = new List<T>(heap.Count);
        while (heap.Count > 0) result.Add(heap.Dequeue());
        result.Reverse();
        return result;
    }

    /// <summary>Indexes of the <paramref name="n"/> highest <paramref name="scores"/>, skipping where <paramref name="skip"/> says so.</summary>
    public static int[] Indexes(ReadOnlySpan<double> scores, int n, Func<int, bool>? skip = null)
    {
        var heap = new PriorityQueue<int, (double Score, int Key)>(n + 1, Worse.Instance);
        for (var i = 0; i < scores.Length && n > 0; i++)
        {
            if (double.IsNaN(scores[i]) || (skip is not null && skip(i))) continue;
            if (heap.Count == n && heap.TryPeek(out _, out var worst) && Worse.Instance.Compare((scores[i], i), worst) <= 0) continue;
            heap.Enqueue(i, (scores[i], i));
            if (heap.Count > n) heap.Dequeue();
        }
        var result = new int[heap.Count];
        for (var m = result.Length - 1; m >= 0; m--) result[m] = heap.Dequeue();
        return result;
    }

    // Orders the worst first: lower score, then larger key.
    private sealed class Worse : IComparer<(double Score, int Key)>
    {
        public static readonly Worse Instance = new();
        public int Compare((double Score, int Key) x, (double Score, int Key) y) =>
            x.Score != y.Score ? x.Score.CompareTo(y.Score) : y.Key.CompareTo(x.Key);
    }
}
