namespace Tributary.Core.Components;

/// <summary>"Did you mean" suggestions by edit distance (DuckDB's catalog error style).</summary>
public static class NameSuggestion
{
    /// <summary>The closest candidate within a third of the name's length, or null. With <paramref name="byWord"/>,
    /// failing that, the candidate with the closest '_'-separated word (names of at least four characters).</summary>
    public static string? Closest(string name, IEnumerable<string> candidates, bool byWord = false)
    {
        // The distance costs length times length; names this long are not typos of a key.
        if (name.Length > MaxLength) return null;
        var limit = Math.Max(2, name.Length / 3);
        Span<int> prev = stackalloc int[MaxLength + limit + 2];
        Span<int> cur = stackalloc int[MaxLength + limit + 2];
        string? best = null;
        var bestDistance = limit + 1;
        foreach (var c in candidates)
        {
            if (Math.Abs(c.Length - name.Length) >= bestDistance) continue; // the distance is at least the difference in length
            var d = Distance(name, c, bestDistance, prev, cur);
            if (d < bestDistance) (best, bestDistance) = (c, d);
        }
        if (best is not null || !byWord || name.Length < MinWordMatch) return best;
        // A shortened name ('horizn' for 'horizon_days') is close to one word of the candidate, not to all of it.
        foreach (var c in candidates)
        {
            foreach (var word in c.Split('_', StringSplitOptions.RemoveEmptyEntries))
            {
                if (word.Length < MinWordMatch || word.Length > MaxLength || Math.Abs(word.Length - name.Length) >= bestDistance) continue;
                var d = Distance(name, word, bestDistance, prev, cur);
                if (d < bestDistance) (best, bestDistance) = (c, d);
            }
        }
        return best;
    }

    /// <summary>" Did you mean 'x'?" or an empty string.</summary>
    public static string Format(string name, IEnumerable<string> candidates, bool byWord = false) =>
        Closest(name, candidates, byWord) is { } s ? $" Did you mean '{s}'?" : "";

    /// <summary>The Levenshtein distance between two names, without bound.</summary>
    public static int Distance(string a, string b) => Distance(a, b, int.MaxValue, new int[b.Length + 1], new int[b.Length + 1]);

    private const int MaxLength = 100;
    private const int MinWordMatch = 4;

    // Levenshtein distance with two rows; stops at 'bound' once every cell of a row has reached it.
    private static int Distance(string a, string b, int bound, Span<int> prev, Span<int> cur)
    {
        for (var j = 0; j <= b.Length; j++) prev[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            cur[0] = i;
            var rowMin = i;
            for (var j = 1; j <= b.Length; j++)
            {
                cur[j] = Math.Min(Math.Min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
                rowMin = Math.Min(rowMin, cur[j]);
            }
            if (rowMin >= bound) return bound;
            var swap = prev;
            prev = cur;
            cur = swap;
        }
        return prev[b.Length];
    }
}
