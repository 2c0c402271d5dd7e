using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Storage;
using Xunit.Abstractions;

namespace Tabernacle.MongoEmulator.Tests.Storage;

/// <summary>
/// Index entries hold int32 keys packed with the record id and string keys without their BsonString: the value, its
/// BSON type and the record id come back unchanged, and entries order exactly as their boxed values do (MongoDB's
/// order, then record id). Random keys of mixed types; the seed is printed, pass it to replay a failure.
/// </summary>
public sealed class IndexEntryTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(null)]
    public void Entries_keep_their_key_and_record_and_order_as_the_boxed_values(int? replaySeed)
    {
        var seed = replaySeed ?? Random.Shared.Next();
        output.WriteLine($"seed {seed} (replay with InlineData({seed}))");
        var random = new Random(seed);
        var entries = new List<(BsonValue Key, long RecordId, IndexEntry Entry)>();
        for (var i = 0; i < 2_000; i++)
        {
            var key = RandomKey(random);
            var recordId = RandomRecordId(random);
            var entry = new IndexEntry(key, recordId);
            Assert.Equal(recordId, entry.RecordId);
            Assert.Equal(key.BsonType, entry[0].BsonType);
            Assert.Equal(key, entry[0]);
            Assert.Equal(key, Assert.Single(entry.Key));
            entries.Add((key, recordId, entry));
        }

        foreach (var direction in new[] { 1, -1 })
        {
            var comparer = new IndexEntryComparer([direction]);
            for (var i = 0; i < 20_000; i++)
            {
                var x = entries[random.Next(entries.Count)];
                var y = entries[random.Next(entries.Count)];
                var byValue = BsonValueComparer.Default.Compare(x.Key, y.Key) * direction;
                var expected = byValue != 0 ? byValue : x.RecordId.CompareTo(y.RecordId);
                Assert.True(Math.Sign(expected) == Math.Sign(comparer.Compare(x.Entry, y.Entry)),
                    $"{x.Key.BsonType} {x.Key} #{x.RecordId} vs {y.Key.BsonType} {y.Key} #{y.RecordId}, direction {direction}");
                Assert.Equal(
                    Math.Sign(BsonValueComparer.Default.Compare(x.Key, y.Key)), Math.Sign(IndexEntry.CompareFirst(x.Entry, y.Entry)));
            }
        }
    }

    [Fact]
    public void A_compound_key_keeps_every_field()
    {
        var entry = new IndexEntry([7, "seven"], 3);
        Assert.Equal(new BsonValue[] { 7, "seven" }, entry.Key);
        Assert.Equal(BsonType.String, entry[1].BsonType);
        Assert.Equal(3, entry.RecordId);
    }

    private static BsonValue RandomKey(Random random) => random.Next(12) switch
    {
        0 => random.Next(-3, 3),
        1 => random.Next(int.MinValue, int.MaxValue),
        2 => (long)random.Next(-3, 3),
        3 => random.NextInt64(long.MinValue, long.MaxValue),
        4 => random.Next(-3, 3) + (random.Next(2) == 0 ? 0.5 : 0.0),
        5 => random.Next(3) switch { 0 => double.NaN, 1 => double.NegativeInfinity, _ => -0.0 },
        6 => new string((char)('a' + random.Next(3)), random.Next(3)),
        7 => random.Next(2) == 0 ? "\uD83D\uDE00" : "\uFF5E",
        8 => (BsonSymbol)"b",
        9 => random.Next(2) == 0 ? BsonNull.Value : BsonBoolean.True,
        10 => random.Next(2) == 0 ? BsonMinKey.Value : BsonMaxKey.Value,
        _ => new BsonDecimal128(random.Next(-3, 3)),
    };

    // Mostly small ids (packed with int32 keys), some past 32 bits or negative (the bounds of a seek use long.MinValue
    // and long.MaxValue): those keep the key boxed.
    private static long RandomRecordId(Random random) => random.Next(10) switch
    {
        0 => long.MinValue,
        1 => long.MaxValue,
        2 => uint.MaxValue + (long)random.Next(3),
        _ => random.Next(0, 50),
    };
}
