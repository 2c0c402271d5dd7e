using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Persistence;

/// <summary>
/// <see cref="ReplicaSetEmulatorOptions.DataDirectory"/>: a set started again on its folder comes back with its
/// documents, catalog, oplog and term; a torn journal tail is dropped; corruption is refused with a clear error.
/// </summary>
public sealed class DataDirectoryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tabernacle-data-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private string DataPath => Path.Combine(_root, "data");

    private ReplicaSetEmulatorOptions Options(string? path = null, int members = 3) =>
        new() { Members = members, DataDirectory = path ?? DataPath };

    private static Task<List<BsonDocument>> AllAsync(IMongoCollection<BsonDocument> collection) =>
        collection.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();

    private static Task<long> CountAsync(IMongoCollection<BsonDocument> collection) =>
        collection.CountDocumentsAsync(FilterDefinition<BsonDocument>.Empty);

    private static MongoClient Connect(MongoReplicaSetEmulator emulator)
    {
        var settings = MongoClientSettings.FromConnectionString(emulator.ConnectionString);
        settings.ServerSelectionTimeout = TimeSpan.FromSeconds(15);
        return new MongoClient(settings);
    }

    [Fact]
    public async Task Restart_keeps_documents_indexes_options_oplog_and_term()
    {
        long term;
        int oplogEntries;
        await using (var first = await MongoReplicaSetEmulator.StartAsync(Options()))
        {
            using var client = Connect(first);
            var db = client.GetDatabase("shop");
            await db.CreateCollectionAsync("events", new CreateCollectionOptions { Capped = true, MaxDocuments = 3, MaxSize = 1 << 20 });
            var items = db.GetCollection<BsonDocument>("items");
            await items.Indexes.CreateOneAsync(new CreateIndexModel<BsonDocument>(
                Builders<BsonDocument>.IndexKeys.Ascending("sku"), new CreateIndexOptions { Unique = true, Name = "sku_unique" }));
            await items.InsertManyAsync(
                Enumerable.Range(1, 20).Select(i => new BsonDocument { { "_id", i }, { "sku", $"S{i}" }, { "qty", i } }));
            await items.UpdateOneAsync(Builders<BsonDocument>.Filter.Eq("_id", 3), Builders<BsonDocument>.Update.Set("qty", 300));
            await items.DeleteOneAsync(Builders<BsonDocument>.Filter.Eq("_id", 4));
            using (var session = await client.StartSessionAsync())
            {
                await session.WithTransactionAsync(async (s, ct) =>
                {
                    await items.InsertOneAsync(s, new BsonDocument { { "_id", 100 }, { "sku", "T" } }, cancellationToken: ct);
                    return true;
                });
            }

            var events = db.GetCollection<BsonDocument>("events");
            await events.InsertManyAsync(Enumerable.Range(1, 5).Select(i => new BsonDocument("_id", i)));
            await first.WaitForReplicationAsync();
            term = first.Term;
            oplogEntries = first.Primary!.Member.Oplog.Count;
        }

        await using var second = await MongoReplicaSetEmulator.StartAsync(Options());
        using var again = Connect(second);
        var shop = again.GetDatabase("shop");
        var restored = (await AllAsync(shop.GetCollection<BsonDocument>("items"))).OrderBy(d => d["_id"].AsInt32).ToList();
        Assert.Equal([.. Enumerable.Range(1, 20).Where(i => i != 4), 100], restored.Select(d => d["_id"].AsInt32));
        Assert.Equal(300, restored.Single(d => d["_id"] == 3)["qty"].AsInt32);

        var indexes = await (await shop.GetCollection<BsonDocument>("items").Indexes.ListAsync()).ToListAsync();
        var sku = Assert.Single(indexes, i => i["name"] == "sku_unique");
        Assert.True(sku["unique"].ToBoolean());
        var duplicate = await Assert.ThrowsAsync<MongoWriteException>(() =>
            shop.GetCollection<BsonDocument>("items").InsertOneAsync(new BsonDocument { { "_id", 500 }, { "sku", "S1" } }));
        Assert.Equal(ServerErrorCategory.DuplicateKey, duplicate.WriteError.Category);

        // The capped collection kept its options, and with them its bound.
        var listing = await shop.ListCollectionsAsync(new ListCollectionsOptions { Filter = new BsonDocument("name", "events") });
        var info = await listing.SingleAsync();
        Assert.True(info["options"]["capped"].ToBoolean());
        Assert.Equal([3, 4, 5], (await AllAsync(shop.GetCollection<BsonDocument>("events"))).Select(d => d["_id"].AsInt32));

        // Every member has its oplog back; the set elected a primary in a term after the one it stopped in.
        Assert.All(second.Members, m => Assert.True(
            m.Member.Oplog.Count >= oplogEntries, $"{m.Host} has {m.Member.Oplog.Count} entries, expected {oplogEntries}+"));
        Assert.True(second.Term > term, $"term {second.Term} after a restart in term {term}");
    }

    [Fact]
    public async Task Restart_replays_a_journal_between_checkpoints_and_a_rollback_is_checkpointed()
    {
        var options = Options();
        options.CheckpointThresholdBytes = 4096;
        await using (var first = await MongoReplicaSetEmulator.StartAsync(options))
        {
            using var client = Connect(first);
            var items = client.GetDatabase("log").GetCollection<BsonDocument>("items");
            for (var i = 0; i < 60; i++)
            {
                await items.InsertOneAsync(new BsonDocument { { "_id", i }, { "text", new string('x', 200) } });
            }

            Assert.All(first.Journals!, j => Assert.True(j.CheckpointsWritten > 0, "a 4 KB threshold should have made checkpoints"));
        }

        await using var second = await MongoReplicaSetEmulator.StartAsync(options);
        using var again = Connect(second);
        var count = await CountAsync(again.GetDatabase("log").GetCollection<BsonDocument>("items"));
        Assert.Equal(60, count);
    }

    [Fact]
    public async Task A_rolled_back_member_restarts_with_the_new_primary_s_data_not_its_divergent_writes()
    {
        var options = Options();
        options.ElectionTimeout = TimeSpan.FromMilliseconds(300);
        var image = Path.Combine(_root, "image");
        int oldId;
        await using (var first = await MongoReplicaSetEmulator.StartAsync(options))
        {
            using var client = Connect(first);
            var items = client.GetDatabase("rollback").GetCollection<BsonDocument>("items");
            await items.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "v", "committed" } });
            await first.WaitForReplicationAsync();
            var old = first.Primary!;
            oldId = old.Id;
            var secondaries = first.Members.Where(m => m != old).ToList();
            secondaries.ForEach(s => s.PauseReplication());

            using (var direct = new MongoClient($"mongodb://{old.Host}/?directConnection=true&retryWrites=false"))
            {
                var onOld = direct.GetDatabase("rollback").GetCollection<BsonDocument>("items").WithWriteConcern(WriteConcern.W1);
                await onOld.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "v", "unreplicated" } });
            }

            await old.StopAsync();
            secondaries.ForEach(s => s.ResumeReplication());
            await first.WaitForPrimaryAsync();
            await old.StartAsync();
            await first.WaitForReplicationAsync();
            Assert.Equal(1, old.RollbackCount);
            await items.InsertOneAsync(new BsonDocument { { "_id", 3 }, { "v", "after the rollback" } });
            await first.WaitForReplicationAsync();

            // A crash image, so that no checkpoint at shutdown hides what the journals hold.
            CopyDirectory(DataPath, image);
        }

        // The journal of the old primary held its divergent insert; the rollback's checkpoint replaced it.
        options.DataDirectory = image;
        await using var second = await MongoReplicaSetEmulator.StartAsync(options);
        var member = second.Members[oldId];
        Assert.Equal([1, 3], member.GetDocuments("rollback", "items").Select(d => d["_id"].AsInt32).Order());
        Assert.All(second.Members, m => Assert.Equal(
            member.GetDocuments("rollback", "items").Select(d => d.ToJson()).Order(),
            m.GetDocuments("rollback", "items").Select(d => d.ToJson()).Order()));
    }

    [Fact]
    public async Task A_crash_image_without_a_checkpoint_has_every_acknowledged_write()
    {
        // Copying the folder while the set runs gives what a killed process leaves: records handed to the OS, no checkpoint at exit.
        var image = Path.Combine(_root, "image");
        await using (var running = await MongoReplicaSetEmulator.StartAsync(Options(members: 1)))
        {
            using var client = Connect(running);
            var items = client.GetDatabase("crash").GetCollection<BsonDocument>("items");
            for (var i = 0; i < 10; i++)
            {
                await items.InsertOneAsync(new BsonDocument { { "_id", i }, { "v", i } });
            }

            CopyDirectory(DataPath, image);
        }

        Assert.Empty(Directory.GetFiles(Path.Combine(image, "member-0"), "checkpoint-*.ckpt"));
        await using var recovered = await MongoReplicaSetEmulator.StartAsync(Options(image, members: 1));
        using var again = Connect(recovered);
        var ids = await AllAsync(again.GetDatabase("crash").GetCollection<BsonDocument>("items"));
        Assert.Equal(Enumerable.Range(0, 10), ids.Select(d => d["_id"].AsInt32).Order());
    }

    [Fact]
    public async Task A_torn_last_record_loses_only_that_record()
    {
        var image = Path.Combine(_root, "image");
        await using (var running = await MongoReplicaSetEmulator.StartAsync(Options(members: 1)))
        {
            using var client = Connect(running);
            var items = client.GetDatabase("torn").GetCollection<BsonDocument>("items");
            for (var i = 0; i < 5; i++)
            {
                await items.InsertOneAsync(new BsonDocument { { "_id", i } });
            }

            CopyDirectory(DataPath, image);
        }

        // The journal's last record is the insert of _id 4; cutting it leaves _id 0 to 3.
        var journal = Directory.GetFiles(Path.Combine(image, "member-0"), "journal-*.log").Single();
        var bytes = await File.ReadAllBytesAsync(journal);
        var last = LastRecordOffset(bytes);
        await File.WriteAllBytesAsync(journal, bytes[..(last + 11)]);

        await using (var recovered = await MongoReplicaSetEmulator.StartAsync(Options(image, members: 1)))
        {
            using var client = Connect(recovered);
            var items = client.GetDatabase("torn").GetCollection<BsonDocument>("items");
            var ids = await AllAsync(items);
            Assert.Equal([0, 1, 2, 3], ids.Select(d => d["_id"].AsInt32).Order());

            // New writes go after the last whole record (the torn bytes were cut off) and survive another restart.
            await items.InsertOneAsync(new BsonDocument("_id", 10));
        }

        await using var again = await MongoReplicaSetEmulator.StartAsync(Options(image, members: 1));
        using var reconnected = Connect(again);
        var after = await AllAsync(reconnected.GetDatabase("torn").GetCollection<BsonDocument>("items"));
        Assert.Equal([0, 1, 2, 3, 10], after.Select(d => d["_id"].AsInt32).Order());
    }

    [Fact]
    public async Task A_corrupt_journal_record_is_refused_with_the_file_and_offset()
    {
        var image = Path.Combine(_root, "image");
        await using (var running = await MongoReplicaSetEmulator.StartAsync(Options(members: 1)))
        {
            using var client = Connect(running);
            var items = client.GetDatabase("bad").GetCollection<BsonDocument>("items");
            for (var i = 0; i < 5; i++)
            {
                await items.InsertOneAsync(new BsonDocument { { "_id", i }, { "text", "some text to flip" } });
            }

            CopyDirectory(DataPath, image);
        }

        // A byte flipped inside a record with whole records after it: damage, not a crash.
        var journal = Directory.GetFiles(Path.Combine(image, "member-0"), "journal-*.log").Single();
        var bytes = await File.ReadAllBytesAsync(journal);
        bytes[LastRecordOffset(bytes) - 3] ^= 0x5A;
        await File.WriteAllBytesAsync(journal, bytes);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => MongoReplicaSetEmulator.StartAsync(Options(image, members: 1)));
        Assert.Contains(Path.GetFileName(journal), error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
        Assert.Contains("checksum", error.Message, StringComparison.Ordinal);

        // The ports and the lock were released: the same folder, repaired, starts.
        bytes[LastRecordOffset(bytes) - 3] ^= 0x5A;
        await File.WriteAllBytesAsync(journal, bytes);
        await using var repaired = await MongoReplicaSetEmulator.StartAsync(Options(image, members: 1));
        Assert.NotNull(repaired.Primary);
    }

    [Fact]
    public async Task A_corrupt_checkpoint_is_refused_with_its_file()
    {
        await using (var first = await MongoReplicaSetEmulator.StartAsync(Options(members: 1)))
        {
            using var client = Connect(first);
            await client.GetDatabase("c").GetCollection<BsonDocument>("items").InsertOneAsync(new BsonDocument("_id", 1));
        }

        var checkpoint = Directory.GetFiles(Path.Combine(DataPath, "member-0"), "checkpoint-*.ckpt").Single();
        var bytes = await File.ReadAllBytesAsync(checkpoint);
        await File.WriteAllBytesAsync(checkpoint, bytes[..^5]);

        var error = await Assert.ThrowsAsync<InvalidDataException>(() => MongoReplicaSetEmulator.StartAsync(Options(members: 1)));
        Assert.Contains(Path.GetFileName(checkpoint), error.Message, StringComparison.Ordinal);
        Assert.Contains("corrupt", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_folder_in_use_or_of_another_set_is_refused()
    {
        await using (var running = await MongoReplicaSetEmulator.StartAsync(Options(members: 1)))
        {
            var inUse = await Assert.ThrowsAsync<IOException>(() => MongoReplicaSetEmulator.StartAsync(Options(members: 1)));
            Assert.Contains("in use by another emulator", inUse.Message, StringComparison.Ordinal);
        }

        var other = await Assert.ThrowsAsync<ArgumentException>(() => MongoReplicaSetEmulator.StartAsync(Options(members: 3)));
        Assert.Contains("1-member replica set 'rs0'", other.Message, StringComparison.Ordinal);
    }

    // Records are [length][crc][payload]; walk them to find where the last one starts.
    internal static int LastRecordOffset(byte[] bytes)
    {
        int offset = 0, last = 0;
        while (offset + 8 <= bytes.Length)
        {
            last = offset;
            offset += 8 + BitConverter.ToInt32(bytes, offset);
        }

        return last;
    }

    internal static void CopyDirectory(string from, string to)
    {
        Directory.CreateDirectory(to);
        foreach (var file in Directory.GetFiles(from))
        {
            if (Path.GetFileName(file) != "emulator.lock")
            {
                File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
            }
        }

        foreach (var folder in Directory.GetDirectories(from))
        {
            CopyDirectory(folder, Path.Combine(to, Path.GetFileName(folder)));
        }
    }
}
