namespace Tributary.Analytics.Recommendations;

/// <summary>Fitted factors of <see cref="ImplicitAls"/>, row-major: user <c>u</c>'s vector is <c>UserFactors[u·k .. u·k + k]</c>.</summary>
/// <param name="Factors">k.</param>
/// <param name="UserFactors">Users × k.</param>
/// <param name="ItemFactors">Items × k.</param>
/// <param name="Loss">Training loss (eq. (3)) after each sweep when tracked, else empty.</param>
public sealed record ImplicitAlsModel(int Factors, double[] UserFactors, double[] ItemFactors, IReadOnlyList<double> Loss)
{
    /// <summary>Users.</summary>
    public int Users => UserFactors.Length / Factors;
    /// <summary>Items.</summary>
    public int Items => ItemFactors.Length / Factors;

    /// <summary>User <paramref name="user"/>'s factor vector.</summary>
    public ReadOnlySpan<double> User(int user) => UserFactors.AsSpan(user * Factors, Factors);

    /// <summary>Item <paramref name="item"/>'s factor vector.</summary>
    public ReadOnlySpan<double> Item(int item) => ItemFactors.AsSpan(item * Factors, Factors);

    /// <summary>Predicted preference x_u·y_i of <paramref name="user"/> for every item, into <paramref name="scores"/>.</summary>
    public void Score(int user, Span<double> scores)
    {
        var x = User(user);
        for (var i = 0; i < Items; i++) scores[i] = DenseVector.Dot(x, Item(i));
    }
}
