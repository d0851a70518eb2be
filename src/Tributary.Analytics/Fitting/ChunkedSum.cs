namespace Tributary.Analytics.Fitting;

/// <summary>
/// Sums per-row terms of a likelihood (its value and gradient) over fixed chunks, in parallel when there are many
/// rows, adding the chunks up in order so the result does not depend on thread scheduling: an optimizer comparing
/// two evaluations sees the same number for the same point. Below <see cref="ParallelRows"/> rows the sum runs on the
/// calling thread: an optimizer makes dozens of evaluations of a few milliseconds each, and on a busy machine waiting
/// for pool threads at every one costs more than the work.
/// </summary>
internal static class ChunkedSum
{
    private const int ChunkRows = 4096;
    private const int ParallelRows = 262_144;

    /// <summary>Fills <paramref name="totals"/> with Σ over rows; <paramref name="chunk"/> adds rows [start, end) into its array.</summary>
    public static void Run(int count, double[] totals, Action<int, int, double[]> chunk)
    {
        Array.Clear(totals);
        var chunks = (count + ChunkRows - 1) / ChunkRows;
        if (count < ParallelRows)
        {
            chunk(0, count, totals);
            return;
        }
        var partial = new double[chunks][];
        Parallel.For(0, chunks, c =>
        {
            var local = new double[totals.Length];
            chunk(c * ChunkRows, Math.Min(count, (c + 1) * ChunkRows), local);
            partial[c] = local;
        });
        foreach (var local in partial)
            for (var i = 0; i < totals.Length; i++) totals[i] += local[i];
    }
}
