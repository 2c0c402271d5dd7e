using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>
/// A write's oplog entry carries the bytes the primary's collection stores (not a document tree of its own), and the
/// secondaries that apply it store those same bytes: one array per document version across the set's oplogs and
/// (in-process) members, while every reader still gets documents equal to what was written.
/// </summary>
public sealed class SharedStoredBytesTests : EmulatorTestBase
{
    [Fact]
    public async Task The_oplog_and_the_secondaries_share_the_primarys_stored_bytes()
    {
        var items = Client.GetDatabase("shared").GetCollection<BsonDocument>("items");
        await items.InsertOneAsync(Doc("{ _id: 1, n: 1, tags: ['a'] }"));
        await items.UpdateOneAsync(Doc("{ _id: 1 }"), Doc("{ $inc: { n: 1 } }"));
        await Emulator.WaitForReplicationAsync();

        var primary = Emulator.Members.Single(m => m.Member.IsPrimary).Member;
        byte[] stored;
        lock (primary.Storage.SyncRoot)
        {
            stored = primary.Storage.GetCollection("shared", "items")!.StoredBytes(1)!;
        }

        var update = primary.Oplog.After(Tabernacle.MongoEmulator.Replication.OpTime.Null, int.MaxValue)
            .Last(e => e.Collection == "items");
        Assert.Same(stored, update.StoredDocument);
        Assert.Equal(Doc("{ _id: 1, n: 2, tags: ['a'] }"), update.Document);
        Assert.Equal(Doc("{ _id: 1, n: 1, tags: ['a'] }"), Assert.Single(update.PreImages!));

        foreach (var secondary in Emulator.Members.Where(m => !m.Member.IsPrimary).Select(m => m.Member))
        {
            lock (secondary.Storage.SyncRoot)
            {
                var collection = secondary.Storage.GetCollection("shared", "items")!;
                Assert.Same(stored, collection.StoredBytes(1));
                Assert.Equal(Doc("{ _id: 1, n: 2, tags: ['a'] }"), collection.FindById(1));
            }
        }
    }
}
