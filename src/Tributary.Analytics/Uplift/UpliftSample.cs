namespace Tributary.Analytics.Uplift;

/// <summary>Customers of a randomized send: features, whether each was treated (contacted) and whether each converted.</summary>
/// <param name="Rows">Features per customer, all of one length.</param>
/// <param name="Treated">True for the treatment group, false for control.</param>
/// <param name="Converted">The outcome in the window after the send.</param>
public sealed record UpliftSample(IReadOnlyList<float[]> Rows, IReadOnlyList<bool> Treated, IReadOnlyList<bool> Converted)
{
    /// <summary>Customers in the sample.</summary>
    public int Count => Rows.Count;

    /// <summary>The customers of one arm: their features and outcomes.</summary>
    public (List<float[]> Rows, List<bool> Converted) Arm(bool treated)
    {
        var rows = new List<float[]>();
        var converted = new List<bool>();
        for (var i = 0; i < Count; i++)
            if (Treated[i] == treated) { rows.Add(Rows[i]); converted.Add(Converted[i]); }
        return (rows, converted);
    }

    /// <summary>Share of customers treated.</summary>
    public double TreatedShare => Count == 0 ? double.NaN : Treated.Count(t => t) / (double)Count;

    /// <summary>Checks that each arm holds both outcomes, which every learner needs.</summary>
    /// <exception cref="ArgumentException">An arm is empty or has a single outcome.</exception>
    public void EnsureLearnable()
    {
        if (Rows.Count != Treated.Count || Rows.Count != Converted.Count) throw new ArgumentException("rows, treatment flags and outcomes differ in count.");
        foreach (var arm in new[] { true, false })
        {
            var (_, y) = Arm(arm);
            if (!y.Contains(true) || !y.Contains(false))
                throw new ArgumentException($"the {(arm ? "treatment" : "control")} group needs customers who converted and customers who did not (it has {y.Count:N0}, {y.Count(c => c):N0} converted).");
        }
    }
}
