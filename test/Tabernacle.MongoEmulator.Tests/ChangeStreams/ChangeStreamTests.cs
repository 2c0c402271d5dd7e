using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.ChangeStreams;

/// <summary>
/// <c>$changeStream</c> through the C# driver's <c>Watch</c>: the events and their shapes as MongoDB 7.0 documents
/// them (change-events reference), the three levels, full documents and pre-images, resuming, the stages allowed after
/// the stream, and majority-committed changes only.
/// </summary>
public sealed class ChangeStreamTests : EmulatorTestBase
{
    private static readonly TimeSpan Await = TimeSpan.FromSeconds(10);

    private IMongoDatabase Database => Client.GetDatabase("streams");

    private IMongoCollection<BsonDocument> Books => Database.GetCollection<BsonDocument>("books");

    private static ChangeStreamOptions StreamOptions(Action<ChangeStreamOptions>? configure = null)
    {
        var options = new ChangeStreamOptions { MaxAwaitTime = TimeSpan.FromMilliseconds(500) };
        configure?.Invoke(options);
        return options;
    }

    /// <summary>
    /// Reads exactly <paramref name="count"/> events (the driver's getMore waits on the server), failing after <see cref="Await"/>.
    /// </summary>
    private static async Task<List<ChangeStreamDocument<BsonDocument>>> TakeAsync(
        IChangeStreamCursor<ChangeStreamDocument<BsonDocument>> cursor, int count)
    {
        var events = new List<ChangeStreamDocument<BsonDocument>>();
        using var timeout = new CancellationTokenSource(Await);
        while (events.Count < count && await cursor.MoveNextAsync(timeout.Token))
        {
            events.AddRange(cursor.Current);
        }

        Assert.Equal(count, events.Count);
        return events;
    }

    private static async Task<List<BsonDocument>> TakeRawAsync(IChangeStreamCursor<BsonDocument> cursor, int count)
    {
        var events = new List<BsonDocument>();
        using var timeout = new CancellationTokenSource(Await);
        while (events.Count < count && await cursor.MoveNextAsync(timeout.Token))
        {
            events.AddRange(cursor.Current);
        }

        Assert.Equal(count, events.Count);
        return events;
    }

    [Fact]
    public async Task A_collection_stream_shows_insert_update_replace_and_delete_in_order_with_their_documented_fields()
    {
        await Books.InsertOneAsync(Doc("{ _id: 0, title: 'before the stream' }"));
        using var stream = await Books.WatchAsync(StreamOptions());
        await Books.InsertOneAsync(Doc("{ _id: 1, title: 'Dune', tags: ['sf', 'classic', 'desert'], meta: { pages: 412, isbn: 'x' } }"));
        await Books.UpdateOneAsync(
            Doc("{ _id: 1 }"), Doc("{ $set: { 'meta.pages': 500, year: 1965 }, $unset: { 'meta.isbn': '' }, $pop: { tags: 1 } }"));
        await Books.ReplaceOneAsync(Doc("{ _id: 1 }"), Doc("{ _id: 1, title: 'Dune Messiah' }"));
        await Books.DeleteOneAsync(Doc("{ _id: 1 }"));

        var events = await TakeAsync(stream, 4);

        Assert.Equal(
            [
                ChangeStreamOperationType.Insert, ChangeStreamOperationType.Update, ChangeStreamOperationType.Replace,
                ChangeStreamOperationType.Delete,
            ],
            events.Select(e => e.OperationType));
        Assert.All(events, e => Assert.Equal(Doc("{ _id: 1 }"), e.DocumentKey));
        Assert.All(events, e => Assert.Equal("streams.books", e.CollectionNamespace.FullName));
        Assert.All(events, e => Assert.NotNull(e.WallTime));
        Assert.Equal("Dune", events[0].FullDocument["title"].AsString);

        var update = events[1].UpdateDescription;
        Assert.Equal(Doc("{ 'meta.pages': 500, year: 1965 }"), update.UpdatedFields);
        Assert.Equal(["meta.isbn"], update.RemovedFields);
        Assert.Equal(Doc("{ field: 'tags', newSize: 2 }"), update.TruncatedArrays.Single().AsBsonDocument);
        Assert.Null(events[1].FullDocument);
        Assert.Equal("Dune Messiah", events[2].FullDocument["title"].AsString);
        Assert.Null(events[3].FullDocument);

        // Cluster times strictly increase and every token differs: the stream is a total order.
        var times = events.Select(e => e.ClusterTime).ToList();
        Assert.Equal(times.OrderBy(t => t.Value), times);
        Assert.Equal(4, events.Select(e => e.ResumeToken.ToJson()).Distinct().Count());
    }

    [Fact]
    public async Task Database_and_cluster_streams_see_every_collection_and_database_and_a_collection_stream_only_its_own()
    {
        using var collectionStream = await Books.WatchAsync(StreamOptions());
        using var databaseStream = await Database.WatchAsync(StreamOptions());
        using var clusterStream = await Client.WatchAsync(StreamOptions());
        await Books.InsertOneAsync(Doc("{ _id: 1 }"));
        await Database.GetCollection<BsonDocument>("authors").InsertOneAsync(Doc("{ _id: 2 }"));
        await Client.GetDatabase("other").GetCollection<BsonDocument>("things").InsertOneAsync(Doc("{ _id: 3 }"));
        await Books.InsertOneAsync(Doc("{ _id: 4 }"));

        Assert.Equal([1, 4], (await TakeAsync(collectionStream, 2)).Select(e => e.DocumentKey["_id"].AsInt32));
        Assert.Equal(["books", "authors", "books"], (await TakeAsync(databaseStream, 3)).Select(e => e.CollectionNamespace.CollectionName));
        var clusterEvents = await TakeAsync(clusterStream, 4);
        Assert.Equal(["streams", "streams", "other", "streams"], clusterEvents.Select(e => e.DatabaseNamespace.DatabaseName));
    }

    [Fact]
    public async Task UpdateLookup_returns_the_current_document_and_pre_and_post_images_need_the_collection_option()
    {
        var withImages = new CreateCollectionOptions { ChangeStreamPreAndPostImagesOptions = new() { Enabled = true } };
        await Database.CreateCollectionAsync("imaged", withImages);
        var imaged = Database.GetCollection<BsonDocument>("imaged");
        await imaged.InsertOneAsync(Doc("{ _id: 1, n: 1 }"));
        await Books.InsertOneAsync(Doc("{ _id: 1, n: 1 }"));

        using var lookup = await Books.WatchAsync(StreamOptions(o => o.FullDocument = ChangeStreamFullDocumentOption.UpdateLookup));
        using var plain = await Books.WatchAsync(StreamOptions(o =>
        {
            o.FullDocument = ChangeStreamFullDocumentOption.WhenAvailable;
            o.FullDocumentBeforeChange = ChangeStreamFullDocumentBeforeChangeOption.WhenAvailable;
        }));
        using var images = await imaged.WatchAsync(StreamOptions(o =>
        {
            o.FullDocument = ChangeStreamFullDocumentOption.Required;
            o.FullDocumentBeforeChange = ChangeStreamFullDocumentBeforeChangeOption.Required;
        }));
        await Books.UpdateOneAsync(Doc("{ _id: 1 }"), Doc("{ $inc: { n: 1 } }"));
        await imaged.UpdateOneAsync(Doc("{ _id: 1 }"), Doc("{ $inc: { n: 1 } }"));
        await imaged.DeleteOneAsync(Doc("{ _id: 1 }"));

        Assert.Equal(Doc("{ _id: 1, n: 2 }"), (await TakeAsync(lookup, 1))[0].FullDocument);
        var withoutOption = (await TakeAsync(plain, 1))[0];
        Assert.Null(withoutOption.FullDocument);
        Assert.Null(withoutOption.FullDocumentBeforeChange);

        var imagedEvents = await TakeAsync(images, 2);
        Assert.Equal(Doc("{ _id: 1, n: 1 }"), imagedEvents[0].FullDocumentBeforeChange);
        Assert.Equal(Doc("{ _id: 1, n: 2 }"), imagedEvents[0].FullDocument);
        Assert.Equal(Doc("{ _id: 1, n: 2 }"), imagedEvents[1].FullDocumentBeforeChange);

        using var required = await Books.WatchAsync(
            StreamOptions(o => o.FullDocumentBeforeChange = ChangeStreamFullDocumentBeforeChangeOption.Required));
        await Books.DeleteOneAsync(Doc("{ _id: 1 }"));
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => TakeAsync(required, 1));
        Assert.Equal(47, error.Code);
    }

    [Fact]
    public async Task Drop_invalidates_a_collection_stream_and_dropDatabase_a_database_stream_while_a_cluster_stream_goes_on()
    {
        await Books.InsertOneAsync(Doc("{ _id: 1 }"));
        await Database.GetCollection<BsonDocument>("authors").InsertOneAsync(Doc("{ _id: 1 }"));
        using var collectionStream = await Books.WatchAsync(StreamOptions());
        using var databaseStream = await Database.WatchAsync(StreamOptions());
        using var clusterStream = await Client.WatchAsync(StreamOptions());
        await Books.Database.DropCollectionAsync("books");
        await Client.DropDatabaseAsync("streams");
        await Client.GetDatabase("after").GetCollection<BsonDocument>("x").InsertOneAsync(Doc("{ _id: 9 }"));

        var collectionEvents = await TakeAsync(collectionStream, 2);
        Assert.Equal([ChangeStreamOperationType.Drop, ChangeStreamOperationType.Invalidate], collectionEvents.Select(e => e.OperationType));
        Assert.False(await collectionStream.MoveNextAsync());

        // dropDatabase drops each remaining collection first, as mongod does: authors' drop comes before dropDatabase.
        var databaseEvents = await TakeAsync(databaseStream, 4);
        Assert.Equal(
            [
                ChangeStreamOperationType.Drop, ChangeStreamOperationType.Drop, ChangeStreamOperationType.DropDatabase,
                ChangeStreamOperationType.Invalidate,
            ],
            databaseEvents.Select(e => e.OperationType));
        Assert.Equal(["books", "authors"], databaseEvents.Take(2).Select(e => e.CollectionNamespace.CollectionName));

        var clusterEvents = await TakeAsync(clusterStream, 4);
        Assert.Equal(
            [
                ChangeStreamOperationType.Drop, ChangeStreamOperationType.Drop, ChangeStreamOperationType.DropDatabase,
                ChangeStreamOperationType.Insert,
            ],
            clusterEvents.Select(e => e.OperationType));

        // startAfter (unlike resumeAfter) may start from an invalidate: a new stream on the re-created database.
        using var restarted = await Database.WatchAsync(StreamOptions(o => o.StartAfter = databaseEvents[3].ResumeToken));
        await Books.InsertOneAsync(Doc("{ _id: 2 }"));
        Assert.Equal(2, (await TakeAsync(restarted, 1))[0].DocumentKey["_id"].AsInt32);
        var resumeError = await Assert.ThrowsAsync<MongoCommandException>(
            () => Database.WatchAsync(StreamOptions(o => o.ResumeAfter = databaseEvents[3].ResumeToken)));
        Assert.Equal(260, resumeError.Code);
    }

    [Fact]
    public async Task A_transaction_shows_each_change_with_its_lsid_and_txnNumber_once_it_commits()
    {
        await Books.InsertOneAsync(Doc("{ _id: 1, n: 1 }"));
        using var stream = await Books.WatchAsync(StreamOptions());
        using (var session = await Client.StartSessionAsync())
        {
            session.StartTransaction();
            await Books.InsertOneAsync(session, Doc("{ _id: 2 }"));
            await Books.UpdateOneAsync(session, Doc("{ _id: 1 }"), Doc("{ $set: { n: 5 } }"));
            await Books.UpdateOneAsync(session, Doc("{ _id: 2 }"), Doc("{ $set: { n: 7 } }"));
            await Books.ReplaceOneAsync(session, Doc("{ _id: 1 }"), Doc("{ _id: 1, n: 6 }"));
            await session.CommitTransactionAsync();
        }

        // Every write of the transaction, in the order it was made (not only each document's final state).
        var events = await TakeAsync(stream, 4);
        Assert.Equal(
            [
                ChangeStreamOperationType.Insert, ChangeStreamOperationType.Update, ChangeStreamOperationType.Update,
                ChangeStreamOperationType.Replace,
            ],
            events.Select(e => e.OperationType));
        Assert.Equal([2, 1, 2, 1], events.Select(e => e.DocumentKey["_id"].AsInt32));
        Assert.Equal(Doc("{ n: 7 }"), events[2].UpdateDescription.UpdatedFields);
        Assert.Equal(Doc("{ _id: 1, n: 6 }"), events[3].FullDocument);
        Assert.All(events, e => Assert.NotNull(e.BackingDocument.GetValue("txnNumber", null)));
        Assert.All(events, e => Assert.Equal(BsonBinarySubType.UuidStandard, e.BackingDocument["lsid"]["id"].AsBsonBinaryData.SubType));
        Assert.All(events, e => Assert.Equal(events[0].ClusterTime, e.ClusterTime));
        Assert.NotEqual(events[0].ResumeToken, events[1].ResumeToken);
        Assert.Equal(Doc("{ n: 5 }"), events[1].UpdateDescription.UpdatedFields);
    }

    [Fact]
    public async Task A_token_from_the_primary_resumes_on_a_secondary_and_startAtOperationTime_starts_at_that_time()
    {
        using var stream = await Books.WatchAsync(StreamOptions());
        for (var i = 1; i <= 5; i++)
        {
            await Books.InsertOneAsync(new BsonDocument("_id", i));
        }

        var events = await TakeAsync(stream, 5);
        var onSecondary = Books.WithReadPreference(ReadPreference.Secondary);
        using var resumed = await onSecondary.WatchAsync(StreamOptions(o => o.ResumeAfter = events[1].ResumeToken));
        Assert.Equal([3, 4, 5], (await TakeAsync(resumed, 3)).Select(e => e.DocumentKey["_id"].AsInt32));

        using var atTime = await Books.WatchAsync(StreamOptions(o => o.StartAtOperationTime = events[3].ClusterTime));
        Assert.Equal([4, 5], (await TakeAsync(atTime, 2)).Select(e => e.DocumentKey["_id"].AsInt32));

        // The post-batch token of an idle stream resumes after everything it passed over.
        await resumed.MoveNextAsync();
        var idleToken = resumed.GetResumeToken();
        using var fromIdle = await Books.WatchAsync(StreamOptions(o => o.ResumeAfter = idleToken));
        await Books.InsertOneAsync(new BsonDocument("_id", 6));
        Assert.Equal([6], (await TakeAsync(fromIdle, 1)).Select(e => e.DocumentKey["_id"].AsInt32));
    }

    [Fact]
    public async Task Stages_after_changeStream_filter_and_reshape_events_and_other_stages_are_refused()
    {
        var pipeline = new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>()
            .Match(Doc("{ operationType: 'insert', 'fullDocument.genre': 'SF' }"))
            .Project<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>, BsonDocument>(
                Doc("{ title: '$fullDocument.title', operationType: 1 }"));
        using var stream = await Books.WatchAsync(pipeline, StreamOptions());
        await Books.InsertManyAsync([Doc("{ _id: 1, genre: 'SF', title: 'Dune' }"), Doc("{ _id: 2, genre: 'Crime', title: 'Rebecca' }")]);
        await Books.InsertOneAsync(Doc("{ _id: 3, genre: 'SF', title: 'Solaris' }"));

        var events = await TakeRawAsync(stream, 2);
        Assert.Equal(["Dune", "Solaris"], events.Select(e => e["title"].AsString));
        Assert.All(events, e => Assert.Equal(["_id", "operationType", "title"], e.Names.Order()));

        var grouping = new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>()
            .AppendStage<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>, BsonDocument>(
                Doc("{ $group: { _id: null } }"));
        var error = await Assert.ThrowsAsync<MongoCommandException>(() => Books.WatchAsync(grouping, StreamOptions()));
        Assert.Equal(20, error.Code);

        var modifiesId = new EmptyPipelineDefinition<ChangeStreamDocument<BsonDocument>>()
            .AppendStage<ChangeStreamDocument<BsonDocument>, ChangeStreamDocument<BsonDocument>, BsonDocument>(
                Doc("{ $project: { _id: 0 } }"));
        using var broken = await Books.WatchAsync(modifiesId, StreamOptions());
        await Books.InsertOneAsync(Doc("{ _id: 4 }"));
        Assert.Equal(280, (await Assert.ThrowsAsync<MongoCommandException>(() => TakeRawAsync(broken, 1))).Code);
    }

    [Fact]
    public async Task A_write_on_the_primary_alone_is_not_shown_until_a_majority_holds_it()
    {
        await Books.InsertOneAsync(Doc("{ _id: 1 }"));
        using var stream = await Books.WatchAsync(StreamOptions(o => o.MaxAwaitTime = TimeSpan.FromMilliseconds(200)));
        var secondaries = Emulator.Members.Where(m => m.Role == EmulatorMemberRole.Secondary).ToList();
        secondaries.ForEach(m => m.PauseReplication());
        await Books.WithWriteConcern(WriteConcern.W1).InsertOneAsync(Doc("{ _id: 2 }"));

        // Several empty awaited batches pass while the write is on the primary only.
        for (var i = 0; i < 3; i++)
        {
            Assert.True(await stream.MoveNextAsync());
            Assert.Empty(stream.Current);
        }

        secondaries.ForEach(m => m.ResumeReplication());
        Assert.Equal(2, (await TakeAsync(stream, 1))[0].DocumentKey["_id"].AsInt32);
    }

    [Fact]
    public async Task Resuming_from_before_the_oldest_oplog_entry_fails_with_ChangeStreamHistoryLost()
    {
        using var stream = await Books.WatchAsync(StreamOptions());
        await Books.InsertOneAsync(Doc("{ _id: 1 }"));
        var token = (await TakeAsync(stream, 1))[0].ResumeToken;
        await Books.InsertOneAsync(Doc("{ _id: 2 }"));
        await Books.InsertOneAsync(Doc("{ _id: 3 }"));
        await Emulator.WaitForReplicationAsync();

        // The oplog rolled over: only its newest entry is left on every member.
        foreach (var member in Emulator.Members)
        {
            member.Member.Oplog.TruncateBefore(member.Member.Oplog.LastOpTime);
        }

        var error = await Assert.ThrowsAsync<MongoCommandException>(() => Books.WatchAsync(StreamOptions(o => o.ResumeAfter = token)));
        Assert.Equal(286, error.Code);
        Assert.Equal("ChangeStreamHistoryLost", error.CodeName);
    }

    [Fact]
    public async Task A_stream_with_primary_read_preference_resumes_on_the_new_primary_after_a_step_down_missing_nothing()
    {
        using var stream = await Books.WatchAsync(StreamOptions());
        var seen = new List<int>();
        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 3; i++)
            {
                await Books.InsertOneAsync(new BsonDocument("_id", (round * 3) + i));
            }

            seen.AddRange((await TakeAsync(stream, 3)).Select(e => e.DocumentKey["_id"].AsInt32));
            await Emulator.StepDownAsync(TimeSpan.FromSeconds(1));
            await Emulator.WaitForPrimaryAsync();
        }

        Assert.Equal(Enumerable.Range(0, 9), seen);
    }

    [Fact]
    public async Task A_rename_shows_from_and_to_and_invalidates_the_renamed_collections_stream()
    {
        await Books.InsertOneAsync(Doc("{ _id: 1 }"));
        using var collectionStream = await Books.WatchAsync(StreamOptions());
        using var databaseStream = await Database.WatchAsync(StreamOptions());
        await Client.GetDatabase("admin").RunCommandAsync<BsonDocument>(Doc("{ renameCollection: 'streams.books', to: 'streams.novels' }"));
        await Database.GetCollection<BsonDocument>("novels").InsertOneAsync(Doc("{ _id: 2 }"));

        var collectionEvents = await TakeAsync(collectionStream, 2);
        Assert.Equal(
            [ChangeStreamOperationType.Rename, ChangeStreamOperationType.Invalidate], collectionEvents.Select(e => e.OperationType));
        Assert.Equal("streams.novels", collectionEvents[0].RenameTo.FullName);
        var databaseEvents = await TakeAsync(databaseStream, 2);
        Assert.Equal([ChangeStreamOperationType.Rename, ChangeStreamOperationType.Insert], databaseEvents.Select(e => e.OperationType));
        var novels = await Database.GetCollection<BsonDocument>("novels").Find(Doc("{}")).ToListAsync();
        Assert.Equal([1, 2], novels.Select(d => d["_id"].AsInt32));
    }

    [Fact]
    public async Task CollMod_turns_pre_images_on_for_later_changes()
    {
        await Books.InsertOneAsync(Doc("{ _id: 1, n: 1 }"));
        using var stream = await Books.WatchAsync(
            StreamOptions(o => o.FullDocumentBeforeChange = ChangeStreamFullDocumentBeforeChangeOption.WhenAvailable));
        await Database.RunCommandAsync<BsonDocument>(Doc("{ collMod: 'books', changeStreamPreAndPostImages: { enabled: true } }"));
        await Books.UpdateOneAsync(Doc("{ _id: 1 }"), Doc("{ $set: { n: 2 } }"));

        Assert.Equal(Doc("{ _id: 1, n: 1 }"), (await TakeAsync(stream, 1))[0].FullDocumentBeforeChange);
        var options = (await (await Database.ListCollectionsAsync()).ToListAsync()).Single(c => c["name"] == "books")["options"];
        Assert.Equal(Doc("{ enabled: true }"), options["changeStreamPreAndPostImages"]);
    }
}
