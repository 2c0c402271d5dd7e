using MongoDB.Bson;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication.Persistence;

/// <summary>
/// A member's whole state at one moment: its term, catalog (databases, collections with options and indexes), documents
/// and oplog, as framed records ending with a count of what came before. Written to a temporary file, flushed to disk
/// and renamed, so a checkpoint is either whole or absent.
/// </summary>
internal static class CheckpointFile
{
    /// <summary>Writes <paramref name="member"/>'s state to <paramref name="path"/>; callers hold the member's storage lock.</summary>
    public static long Write(ReplicaMember member, string path, long generation)
    {
        var temporary = path + ".tmp";
        long documents = 0, entries = 0, length;
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            Put(stream, new BsonDocument { { "k", "checkpoint" }, { "v", 1 }, { "gen", generation }, { "term", member.Term } });
            foreach (var database in member.Storage.Databases)
            {
                Put(stream, new BsonDocument { { "k", "db" }, { "name", database.Name } });
                foreach (var collection in database.Collections)
                {
                    Put(stream, Describe(collection));
                    foreach (var document in collection.Documents)
                    {
                        Put(stream, new BsonDocument
                        {
                            { "k", "doc" }, { "db", database.Name }, { "coll", collection.Name }, { "d", document },
                        });
                        documents++;
                    }
                }
            }

            foreach (var entry in member.Oplog.After(OpTime.Null, int.MaxValue))
            {
                Put(stream, new BsonDocument { { "k", "op" }, { "e", OplogEntryCodec.Encode(entry) } });
                entries++;
            }

            Put(stream, new BsonDocument { { "k", "end" }, { "docs", documents }, { "ops", entries } });
            stream.Flush(flushToDisk: true);
            length = stream.Length;
        }

        File.Move(temporary, path, overwrite: true);
        return length;
    }

    /// <summary>Loads a checkpoint into <paramref name="member"/>, which holds no data yet; returns the checkpoint's term.</summary>
    public static long Load(ReplicaMember member, string path)
    {
        var records = RecordFile.ReadAll(path, File.ReadAllBytes(path), out _, out var torn);
        if (torn is not null || records.Count < 2 || records[0]["k"] != "checkpoint" || records[^1]["k"] != "end")
        {
            // A checkpoint is renamed into place only once complete: anything short of that is damage, not a crash.
            throw Corrupt(path, torn ?? "it does not start with a checkpoint header and end with its end record");
        }

        long documents = 0, entries = 0;
        foreach (var record in records.Skip(1).SkipLast(1))
        {
            switch (record["k"].AsString)
            {
                case "db":
                    member.Storage.GetOrCreateDatabase(record["name"].AsString);
                    break;
                case "coll":
                    Restore(member.Storage, record);
                    break;
                case "doc":
                    member.Storage.GetCollection(record["db"].AsString, record["coll"].AsString)!.Insert(record["d"].AsBsonDocument);
                    documents++;
                    break;
                case "op":
                    var entry = OplogEntryCodec.Decode(record["e"].AsBsonDocument);
                    member.Oplog.Append(entry);
                    if (entry.Statement is not null)
                    {
                        member.RetryableWrites.Record(entry.Statement);
                    }

                    entries++;
                    break;
                default:
                    throw Corrupt(path, $"it holds an unknown record kind '{record["k"]}'");
            }
        }

        var end = records[^1];
        if (end["docs"].ToInt64() != documents || end["ops"].ToInt64() != entries)
        {
            throw Corrupt(path, $"it promises {end["docs"]} documents and {end["ops"]} oplog entries but holds {documents} and {entries}");
        }

        return records[0]["term"].ToInt64();
    }

    public static InvalidDataException Corrupt(string path, string why) =>
        new($"The emulator's checkpoint '{path}' is corrupt: {why}. Restore the data directory from a copy, or delete it to start empty.");

    private static BsonDocument Describe(CollectionStore collection) => new()
    {
        { "k", "coll" },
        { "db", collection.Database },
        { "name", collection.Name },
        { "options", collection.Options },
        { "uuid", new BsonBinaryData(collection.Uuid, GuidRepresentation.Standard) },
        { "indexes", new BsonArray(collection.Indexes.Where(i => !i.IsIdIndex).Select(i => i.Spec)) },
    };

    private static void Restore(StorageEngine storage, BsonDocument record)
    {
        var collection = storage.GetOrCreateDatabase(record["db"].AsString)
            .GetOrCreateCollection(record["name"].AsString, record["options"].AsBsonDocument, record["uuid"].AsBsonBinaryData.ToGuid());
        foreach (var spec in record["indexes"].AsBsonArray)
        {
            collection.CreateIndex(spec.AsBsonDocument);
        }
    }

    private static void Put(Stream stream, BsonDocument record) => stream.Write(RecordFile.Frame(record));
}
