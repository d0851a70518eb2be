using Tributary.Analytics.Special;

namespace Tributary.Analytics.Tests.Special;

public sealed class OrderStatisticsTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(7)]
    [InlineData(50)]
    [InlineData(51)]
    public void Quantile_EqualsInterpolationBetweenSortedValues(int n)
    {
        var random = new Random(n);
        foreach (var q in new[] { 0, 0.05, 0.25, 0.5, 0.95, 1 })
        {
            // Repeats and ties included: values on a coarse grid.
            var values = Enumerable.Range(0, n).Select(_ => Math.Round(random.NextDouble() * 10) - 5).ToArray();
            var sorted = values.Order().ToArray();
            var position = q * (n - 1);
            var lower = (int)Math.Floor(position);
            var upper = Math.Min(lower + 1, n - 1);
            var expected = sorted[lower] + (position - lower) * (sorted[upper] - sorted[lower]);

            Assert.Equal(expected, OrderStatistics.Quantile(values, q));
            Assert.Equal(sorted, values.Order().ToArray());
        }
    }

    [Fact]
    public void Quantile_WithNaN_OrdersNaNFirstAsASortDoes()
    {
        double[] values = [3, double.NaN, 1, 2, double.NegativeInfinity];

        // Sorted: NaN, -inf, 1, 2, 3; the 0.5 quantile is the third.
        Assert.Equal(1, OrderStatistics.Quantile(values, 0.5));
        Assert.True(double.IsNaN(OrderStatistics.Quantile(values, 0)));
    }

    [Fact]
    public void Select_PutsSmallerValuesBeforeK()
    {
        var values = Enumerable.Range(0, 200).Select(i => (double)((i * 37) % 101)).ToArray();
        var sorted = values.Order().ToArray();

        var kth = OrderStatistics.Select(values, 60);

        Assert.Equal(sorted[60], kth);
        Assert.All(values[..60], v => Assert.True(v <= kth));
        Assert.All(values[61..], v => Assert.True(v >= kth));
    }

    [Fact]
    public void Quantile_OutOfRangeOrEmpty_Throws()
    {
        Assert.Throws<ArgumentException>(() => OrderStatistics.Quantile(new double[] { 1, 2 }, 1.5));
        Assert.Throws<ArgumentException>(() => OrderStatistics.Quantile(Array.Empty<double>(), 0.5));
    }
}
