namespace Tributary.Analytics.Recommendations;

/// <summary>Settings of <see cref="ImplicitAls"/>.</summary>
/// <param name="Factors">Latent factors per user and item.</param>
/// <param name="Regularization">λ of Hu, Koren &amp; Volinsky (2008), eq. (3).</param>
/// <param name="Alpha">Confidence slope α: c = 1 + α·r (eq. (6)).</param>
/// <param name="Iterations">Alternating sweeps (users, then items).</param>
/// <param name="ConjugateGradientSteps">CG steps per row and sweep, warm-started from the previous solution (Takács et al. 2011 use 3).</param>
/// <param name="Seed">Seed of the initial factors.</param>
public sealed record ImplicitAlsOptions(int Factors = 64, double Regularization = 0.1, double Alpha = 20, int Iterations = 15, int ConjugateGradientSteps = 3, int Seed = 42)
{
    /// <summary>Computes the training loss after every sweep (costs about a quarter of a sweep).</summary>
    public bool TrackLoss { get; init; }

    /// <summary>Checks ranges.</summary>
    /// <exception cref="ArgumentException">A setting out of range, named.</exception>
    public void Validate()
    {
        if (Factors < 1) throw new ArgumentException($"factors must be at least 1, got {Factors}.");
        if (Regularization < 0 || !double.IsFinite(Regularization)) throw new ArgumentException($"regularization must be 0 or more, got {Regularization}.");
        if (Alpha < 0 || !double.IsFinite(Alpha)) throw new ArgumentException($"alpha must be 0 or more, got {Alpha}.");
        if (Iterations < 0) throw new ArgumentException($"iterations must be 0 or more, got {Iterations}.");
        if (ConjugateGradientSteps < 1) throw new ArgumentException($"conjugate_gradient_steps must be at least 1, got {ConjugateGradientSteps}.");
    }
}
