using MongoDB.Bson;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Tests.Storage;

/// <summary>
/// The version history keeps older changes for the snapshot window, but a snapshot looks only at the changes made
/// after it: a transaction's reads cost what changed since it started, not what the window holds.
/// </summary>
public sealed class VersionHistoryTests
{
    [Fact]
    public void A_snapshot_looks_only_at_the_changes_after_it_even_when_the_history_keeps_many_older_ones()
    {
        var history = new VersionHistory();
        for (var i = 0; i < 5_000; i++)
        {
            history.Record("db.items", i, StoredBson.Encode(new BsonDocument { { "_id", i }, { "v", 0 } }));
        }

        var snapshot = history.OpenSnapshot();
        history.Record("db.items", 7, StoredBson.Encode(new BsonDocument { { "_id", 7 }, { "v", 1 } }));
        history.Record("db.other", 8, StoredBson.Encode(new BsonDocument { { "_id", 8 }, { "v", 1 } }));
        history.Record("db.items", 7, StoredBson.Encode(new BsonDocument { { "_id", 7 }, { "v", 2 } }));
        history.Record("db.items", 9, null);

        var asked = new List<BsonValue>();
        var versions = history.VersionsChangedSince("db.items", snapshot, id =>
        {
            asked.Add(id);
            return true;
        }).ToList();

        Assert.Equal(5_004, history.RetainedChanges);
        Assert.Equal([7, 9], asked.Select(id => id.AsInt32));
        var version = Assert.Single(versions);
        Assert.Equal(1, version["v"].AsInt32);
        Assert.True(history.TryGetVersionAt("db.items", 9, snapshot, out var absent));
        Assert.Null(absent);
        Assert.False(history.ChangedSince("db.items", 3, snapshot));
    }

    [Fact]
    public void Pruning_past_every_snapshot_forgets_the_old_changes_and_keeps_the_newer_ones_readable()
    {
        var history = new VersionHistory();
        for (var i = 0; i < 3_000; i++)
        {
            history.Record("db.items", i % 10, StoredBson.Encode(new BsonDocument { { "_id", i % 10 }, { "v", i } }));
        }

        var snapshot = history.OpenSnapshot();
        history.Record("db.items", 1, StoredBson.Encode(new BsonDocument { { "_id", 1 }, { "v", -1 } }));
        history.AdvanceRetentionFloor(history.Sequence);

        // The open snapshot still holds the change after it; everything before it is gone.
        Assert.Equal(1, history.RetainedChanges);
        Assert.True(history.TryGetVersionAt("db.items", 1, snapshot, out var version));
        Assert.Equal(-1, version!["v"].AsInt32);

        history.CloseSnapshot(snapshot);
        Assert.Equal(0, history.RetainedChanges);
        Assert.Empty(history.VersionsChangedSince("db.items", snapshot, _ => true));
    }
}
