namespace Tributary.Analytics.Clv;

/// <summary>
/// Per-customer repeat-purchase summary the buy-till-you-die models take, in one time unit:
/// <c>x</c> repeat transactions, <c>t_x</c> time of the last one and <c>T</c> time observed, both measured from
/// the first purchase (Fader, Hardie &amp; Lee 2005, section 2).
/// </summary>
public sealed record RfmSummary(double[] Frequency, double[] Recency, double[] Age)
{
    /// <summary>Number of customers.</summary>
    public int Count => Frequency.Length;

    /// <summary>Checks lengths and ranges: 0 &lt;= t_x &lt;= T, x &gt;= 0, x = 0 implies t_x = 0.</summary>
    /// <exception cref="ArgumentException">The first customer that breaks a rule, by index.</exception>
    public void Validate()
    {
        if (Recency.Length != Count || Age.Length != Count)
            throw new ArgumentException($"frequency, recency and age must have one value per customer; got {Count}, {Recency.Length}, {Age.Length}.");
        for (var i = 0; i < Count; i++)
        {
            if (Frequency[i] < 0 || Recency[i] < 0 || Age[i] <= 0 || Recency[i] > Age[i] + 1e-9 || (Frequency[i] == 0 && Recency[i] != 0))
                throw new ArgumentException($"customer {i}: need x >= 0, 0 <= t_x <= T, T > 0 and t_x = 0 when x = 0; got x={Frequency[i]}, t_x={Recency[i]}, T={Age[i]}.");
        }
    }
}
