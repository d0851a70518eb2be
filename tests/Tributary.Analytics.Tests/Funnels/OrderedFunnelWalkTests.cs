using Tributary.Analytics.Funnels;

namespace Tributary.Analytics.Tests.Funnels;

public sealed class OrderedFunnelWalkTests
{
    private static readonly OrderedFunnelWalk ThreeSteps = new(3, 100, [null, null, null]);

    private static (int Furthest, int Entry, string Times) Pick(OrderedFunnelWalk walk, long[] times, int[] steps)
    {
        var picked = new long[3];
        var (furthest, entry) = walk.Pick(times, steps, picked);
        return (furthest, entry, string.Join(",", picked[..furthest]));
    }

    [Fact]
    public void GreedyChain_TakesTheEarliestNextStep_AndATieOnTimeCountsAsInOrder()
    {
        // A at 0; B at 5 (tie with C at 5 is after B by step order); a later B at 7 is not taken.
        Assert.Equal((3, 0, "0,5,5"), Pick(ThreeSteps, [0, 5, 5, 7], [1, 2, 3, 2]));
    }

    [Fact]
    public void StepsOutOfOrder_DoNotCount()
    {
        // C before B: B at 2 counts, the C at 1 does not follow it.
        Assert.Equal((2, 0, "0,2"), Pick(ThreeSteps, [0, 1, 2], [1, 3, 2]));
    }

    [Fact]
    public void FurthestAttemptWins_TheEarliestOnATie()
    {
        // A at 0 times out before C at 150 (window 100); A at 120 reaches C. Two As at 200 and 210 each reach B only.
        Assert.Equal((3, 1, "120,130,150"), Pick(ThreeSteps, [0, 120, 130, 150], [1, 1, 2, 3]));
        Assert.Equal((2, 0, "200,220"), Pick(ThreeSteps, [200, 210, 220], [1, 1, 2]));
    }

    [Fact]
    public void EntriesAtOneInstant_PickTheFirstInTheGivenOrder()
    {
        Assert.Equal((2, 0, "10,20"), Pick(ThreeSteps, [10, 10, 20], [1, 1, 2]));
    }

    [Fact]
    public void StepWindow_CutsTheGreedyChain_WithoutLookingForALaterStep()
    {
        // Step 3 within 10 of step 2: the earliest B (at 1) is 14 before C, so the attempt stops at B although B at 10 was in time.
        var walk = new OrderedFunnelWalk(3, 100, [null, null, 10]);
        Assert.Equal((2, 0, "0,1"), Pick(walk, [0, 1, 10, 15], [1, 2, 2, 3]));
    }

    [Fact]
    public void NoEntry_PicksNothing()
    {
        Assert.Equal((0, -1, ""), Pick(ThreeSteps, [1, 2], [2, 3]));
        Assert.Equal((0, -1, ""), Pick(ThreeSteps, [], []));
    }

    [Fact]
    public void EntryOnly_ReachesStepOne()
    {
        Assert.Equal((1, 1, "50"), Pick(ThreeSteps, [40, 50], [3, 1]));
    }
}
