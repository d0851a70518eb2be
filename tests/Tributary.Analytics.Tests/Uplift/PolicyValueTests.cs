using Tributary.Analytics.Uplift;

namespace Tributary.Analytics.Tests.Uplift;

public sealed class PolicyValueTests
{
    [Fact]
    public void Of_HandCountedSelection_IsTreatedMinusControlAmongTheSelectedOnly()
    {
        // Selected: treated converted at 10 and 30, one not; control one converted at 20, one not. Unselected rows would
        // show a large effect (both treated convert at 100, the control does not) and must not count.
        bool[] selected = [true, true, true, true, true, false, false, false];
        bool[] treated = [true, true, true, false, false, true, true, false];
        bool[] converted = [true, true, false, true, false, true, true, false];
        double[] value = [10, 30, 50, 20, 40, 100, 100, 100];
        var lift = PolicyValue.Of(selected, treated, converted, value);
        Assert.Equal(2.0 / 3 - 1.0 / 2, lift.Conversions.Uplift, 12);
        Assert.Equal((3, 2), (lift.Conversions.Treated, lift.Conversions.Control));
        // Values 10, 30, 0 against 20, 0: means 40/3 and 10; sample variances 700/3 and 200.
        Assert.Equal(40.0 / 3 - 10, lift.ValueLift, 12);
        Assert.Equal(Math.Sqrt(700.0 / 3 / 3 + 200.0 / 2), lift.ValueStandardError, 12);
    }

    [Fact]
    public void Of_NobodySelectedInAnArm_IsNaN()
    {
        var lift = PolicyValue.Of([true, true, false], [true, true, false], [true, false, true], [1, 1, 1]);
        Assert.True(double.IsNaN(lift.Conversions.Uplift));
        Assert.True(double.IsNaN(lift.ValueLift));
        Assert.True(double.IsNaN(lift.ValueStandardError));
    }

    [Fact]
    public void Of_SpansOfDifferentLengths_Throws() =>
        Assert.Throws<ArgumentException>(() => PolicyValue.Of([true], [true, false], [true], [1]));
}
