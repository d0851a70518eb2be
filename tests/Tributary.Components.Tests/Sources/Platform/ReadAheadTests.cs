using Tributary.Components.Sources.Platform;

namespace Tributary.Components.Tests.Sources.Platform;

/// <summary>The read-ahead a platform load parses in: every item once and in order, the source's failure rethrown, an early stop stops the source.</summary>
public sealed class ReadAheadTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(8)]
    [InlineData(1001)]
    public void Of_YieldsEveryItemOnceInOrder_WhateverTheBatchBoundaries(int count)
    {
        var items = ReadAhead.Of(Enumerable.Range(0, count), batchSize: 8, batches: 2, TestContext.Current.CancellationToken).ToList();

        Assert.Equal(Enumerable.Range(0, count), items);
    }

    [Fact]
    public void Of_SourceThrowsAfterSomeItems_TheConsumerGetsThoseItemsThenTheSameException()
    {
        static IEnumerable<int> Failing()
        {
            for (var i = 0; i < 20; i++) yield return i;
            throw new InvalidDataException("line 21: broken");
        }
        var seen = new List<int>();

        var e = Assert.Throws<InvalidDataException>(() =>
        {
            foreach (var i in ReadAhead.Of(Failing(), batchSize: 8, batches: 2, TestContext.Current.CancellationToken)) seen.Add(i);
        });

        Assert.Equal("line 21: broken", e.Message);
        Assert.Equal(Enumerable.Range(0, 20), seen);
    }

    [Fact]
    public void Of_ConsumerStopsEarly_TheSourceIsStoppedAndDisposedBeforeTheEnumerationEnds()
    {
        var disposed = false;
        var produced = 0;
        IEnumerable<int> Endless()
        {
            try
            {
                while (true) yield return produced++;
            }
            finally
            {
                disposed = true;
            }
        }

        var first = ReadAhead.Of(Endless(), batchSize: 4, batches: 2, TestContext.Current.CancellationToken).Take(5).ToList();

        Assert.Equal([0, 1, 2, 3, 4], first);
        Assert.True(disposed);
        Assert.True(produced <= 4 * 4, $"the source ran {produced} items ahead; the queue holds 2 batches of 4");
    }
}
