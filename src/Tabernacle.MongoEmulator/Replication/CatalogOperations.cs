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

    public static BsonDocument CreateIndex(string collection, BsonDocument spec) => new() { { "createIndexes", collection }, { "spec", spec } };

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
            default:
                throw new InvalidOperationException($"unknown catalog oplog command '{name}'");
        }
    }
}
