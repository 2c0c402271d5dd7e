using Tabernacle.MongoEmulator.Storage;
using Xunit.Abstractions;

namespace Tabernacle.MongoEmulator.Tests.Storage;

/// <summary>
/// The chunked sorted set behind indexes and records does what <see cref="SortedSet{T}"/> did: random adds, removes
/// and range scans in both directions, checked against a SortedSet. The seed is printed; pass it to replay a failure.
/// </summary>
public sealed class SortedChunkListTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(null)]
    public void Random_operations_agree_with_a_SortedSet(int? replaySeed)
    {
        var seed = replaySeed ?? Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with InlineData({seed}))");
        var random = new Random(seed);
        var list = new SortedChunkList<int>(Comparer<int>.Default);
        var set = new SortedSet<int>();
        for (var step = 0; step < 20_000; step++)
        {
            var value = random.Next(3_000);
            switch (random.Next(10))
            {
                case < 6:
                    Assert.Equal(set.Add(value), list.Add(value));
                    break;
                case < 9:
                    Assert.Equal(set.Remove(value), list.Remove(value));
                    break;
                default:
                    var high = value + random.Next(400);
                    Assert.Equal(set.GetViewBetween(value, high), list.Between(value, high));
                    Assert.Equal(set.GetViewBetween(value, high).Reverse(), list.BetweenDescending(value, high));
                    break;
            }

            Assert.Equal(set.Count, list.Count);
            if (step % 4_000 == 3_999)
            {
                // Packed into full chunks, the list holds the same items and goes on agreeing.
                list.Compact();
                Assert.Equal(set, list.All());
            }
        }

        Assert.Equal(set, list.All());
        Assert.Equal(set.Reverse(), list.BetweenDescending(int.MinValue, int.MaxValue));
        Assert.Empty(list.Between(5_000, 6_000));
        Assert.Empty(list.BetweenDescending(-10, -1));
    }

    [Fact]
    public void Appending_in_order_fills_chunks_and_lookups_find_every_item()
    {
        var list = new SortedChunkList<long>(Comparer<long>.Default);
        for (long i = 0; i < 10_000; i++)
        {
            Assert.True(list.Add(i));
        }

        Assert.False(list.Add(5));
        Assert.True(list.TryGetValue(9_999, out var found));
        Assert.Equal(9_999, found);
        Assert.False(list.TryGetValue(10_000, out _));
        Assert.Equal(Enumerable.Range(100, 301).Select(i => (long)i), list.Between(100, 400));
        Assert.Equal(0, list.First());
    }

    [Fact]
    public void Changing_the_set_during_a_scan_fails_the_scan_instead_of_skipping_or_repeating_items()
    {
        var list = new SortedChunkList<int>(Comparer<int>.Default);
        for (var i = 0; i < 1_000; i++)
        {
            list.Add(i);
        }

        Assert.Throws<InvalidOperationException>(() =>
        {
            foreach (var item in list.Between(0, 999))
            {
                list.Remove(item);
            }
        });
    }
}
