namespace Tributary.Analytics.Uplift;

/// <summary>A fitted uplift model: the estimated change in conversion probability if a customer is contacted.</summary>
public interface IUpliftModel
{
    /// <summary>Estimated uplift τ(x) = P(convert | contacted, x) − P(convert | not contacted, x) per row.</summary>
    double[] Uplift(IReadOnlyList<float[]> rows);
}
