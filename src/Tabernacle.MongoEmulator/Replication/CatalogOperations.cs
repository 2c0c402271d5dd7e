using MongoDB.Bson;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>Applies the catalog commands that oplog <c>c</c> entries carry; shared by the primary and its secondaries.</summary>
internal static class CatalogOperations
{
    public static BsonDocument Create(string collection, BsonDocument? options) =>
        new BsonDocument("create", collection).AddRange(options ?? []);

    public static BsonDocument Drop(string collection) => new("drop", collection);

    public static BsonDocument DropDatabase() => new("dropDatabase", 1);

    public static BsonDocument CreateIndex(string collection, BsonDocument spec) =>
        new() { { "createIndexes", collection }, { "spec", spec } };

    public static BsonDocument DropIndex(string collection, string name) => new() { { "dropIndexes", collection }, { "index", name } };

    public static void Apply(StorageEngine storage, string database, BsonDocument command)
    {
        var name = command.GetElement(0).Name;
        switch (name)
        {
            case "create":
                var options = new BsonDocument(command.Skip(1));
                storage.GetOrCreateDatabase(database).GetOrCreateCollection(command["create"].AsString, options);
                break;
            case "drop":
                storage.GetDatabase(database)?.DropCollection(command["drop"].AsString);
                break;
            case "dropDatabase":
                storage.DropDatabase(database);
                break;
            case "createIndexes":
                var collection = storage.GetOrCreateDatabase(database).GetOrCreateCollection(command["createIndexes"].AsString);
                var spec = command["spec"].AsBsonDocument;
                if (collection.FindIndex(spec["name"].AsString) is null)
                {
                    collection.CreateIndex(spec);
                }

                break;
            case "dropIndexes":
                var target = storage.GetCollection(database, command["dropIndexes"].AsString);
                if (command["index"].AsString == "*")
                {
                    target?.DropAllIndexesButId();
                }
                else
                {
                    target?.DropIndex(command["index"].AsString);
                }

                break;
            case "renameCollection":
                RenameCollection(storage, database, command["renameCollection"].AsString, command["to"].AsString);
                break;
            case "collMod":
                if (storage.GetCollection(database, command["collMod"].AsString) is { } modified)
                {
                    modified.Options["changeStreamPreAndPostImages"] = command["changeStreamPreAndPostImages"].DeepClone();
                }

                break;
            default:
                throw new InvalidOperationException($"unknown catalog oplog command '{name}'");
        }
    }

    // Same database: the target gets the source's options, indexes and documents (recorded as inserts, so snapshots
    // from before the rename still see the old names), then the source is dropped.
    private static void RenameCollection(StorageEngine storage, string database, string from, string to)
    {
        var source = storage.GetCollection(database, from);
        if (source is null)
        {
            return;
        }

        var target = storage.GetOrCreateDatabase(database).GetOrCreateCollection(to, source.Options.DeepClone().AsBsonDocument);
        foreach (var index in source.Indexes.Where(i => !i.IsIdIndex))
        {
            target.CreateIndex(index.Spec);
        }

        foreach (var document in source.Documents.ToList())
        {
            target.Insert(document);
        }

        storage.GetDatabase(database)!.DropCollection(from);
    }
}
