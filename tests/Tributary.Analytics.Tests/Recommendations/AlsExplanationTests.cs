using Tributary.Analytics.Recommendations;

namespace Tributary.Analytics.Tests.Recommendations;

public sealed class AlsExplanationTests
{
    [Fact]
    public void Because_OneFactor_HeavierHistoryItemWinsAsByHand()
    {
        // Y = (A 1, B 2, C 1), history A (r = 4) and B (r = 1), α = 1, λ = 1: W = 1 / (Σy² + λ + Σ_obs α·r·y²) = 1 / (6 + 1 + 4 + 4) = 1/15.
        // Toward C: A adds s·c = (1·1/15)·5 = 5/15, B adds (1·2/15)·2 = 4/15; A explains C although B's factor is larger.
        var explanation = new AlsExplanation([1, 2, 1], factors: 1, regularization: 1, alpha: 1);
        var user = explanation.For([0, 1], [4, 1])!;
        var terms = new double[2];
        user.Contributions(2, terms);
        Assert.Equal(5 / 15.0, terms[0], 12);
        Assert.Equal(4 / 15.0, terms[1], 12);
        Assert.Equal(0, user.Because(2));

        // With r_A = 2 the order turns: A 3/13, B 4/13.
        Assert.Equal(1, explanation.For([0, 1], [2, 1])!.Because(2));
    }

    [Fact]
    public void Contributions_SumToTheExactSolutionsScore()
    {
        // HKV 2008 §5: with x_u the exact solution of eq. (4), p̂_ui = y_i·x_u = Σ_j s^u_ij c_uj.
        const int items = 8, k = 3;
        var random = new Random(7);
        var y = Enumerable.Range(0, items * k).Select(_ => random.NextDouble() - 0.5).ToArray();
        int[] history = [1, 4, 6];
        double[] weights = [1, 3, 2];
        var r = InteractionMatrix.FromTriplets(1, items, [0, 0, 0], history, weights);
        var x = new double[k];
        ImplicitAls.SolveRows(r, y, x, new ImplicitAlsOptions(Factors: k, Regularization: 0.4, Alpha: 2, ConjugateGradientSteps: 40), CancellationToken.None);
        var user = new AlsExplanation(y, k, 0.4, 2).For(history, weights)!;
        var terms = new double[history.Length];
        for (var i = 0; i < items; i++)
        {
            user.Contributions(i, terms);
            var score = x[0] * y[i * k] + x[1] * y[i * k + 1] + x[2] * y[i * k + 2];
            Assert.Equal(score, terms.Sum(), 9);
        }
    }

    [Fact]
    public void For_NoRegularizationAndTooFewItems_HasNoExplanation()
    {
        // Two factors, one item, λ = 0: YᵀC^uY is singular, so W^u does not exist.
        Assert.Null(new AlsExplanation([1, 0], factors: 2, regularization: 0, alpha: 1).For([0], [1]));
    }
}
