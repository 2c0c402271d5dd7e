using System.Text.RegularExpressions;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary><c>listDatabases</c>: every database with data on this member.</summary>
internal sealed class ListDatabasesCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["listDatabases"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        var nameOnly = context.OptionalBool("nameOnly", false);
        var filter = ReadSupport.CompileFilter(context.OptionalDocument("filter"), null, null);
        var databases = new BsonArray();
        long total = 0;
        // Counted under the storage lock; the entries are built and filtered after it.
        var found = context.ReadLatest(reader => reader.DatabaseNames
            .Order(StringComparer.Ordinal)
            .Select(name => (Name: name, Collections: reader.Collections(name).ToList()))
            .Select(d => (d.Name, Size: d.Collections.Sum(c => (long)c.Count * 64), Empty: !d.Collections.Any(c => c.Count > 0)))
            .ToList());
        foreach (var (name, size, empty) in found)
        {
            var entry = nameOnly
                ? new BsonDocument("name", name)
                : new BsonDocument { { "name", name }, { "sizeOnDisk", size }, { "empty", empty } };
            if (filter.Matches(entry))
            {
                databases.Add(entry);
                total += size;
            }
        }

        var reply = new BsonDocument("databases", databases);
        if (!nameOnly)
        {
            reply["totalSize"] = total;
            reply["totalSizeMb"] = total / (1024 * 1024);
        }

        return Task.FromResult(reply);
    }
}

/// <summary><c>listCollections</c>: the collections of a database as a cursor, with name filters and <c>nameOnly</c>.</summary>
internal sealed class ListCollectionsCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["listCollections"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var nameOnly = context.OptionalBool("nameOnly", false);
        var filter = ReadSupport.CompileFilter(context.OptionalDocument("filter"), null, null);
        // At the command's read concern, like every read (the catalog each reader sees is the current one).
        var results = context.Read(reader =>
        {
            var entries = new List<BsonDocument>();
            foreach (var collection in reader.Collections(context.Database).OrderBy(c => c.Name, StringComparer.Ordinal))
            {
                var entry = nameOnly
                    ? new BsonDocument { { "name", collection.Name }, { "type", "collection" } }
                    : new BsonDocument
                    {
                        { "name", collection.Name },
                        { "type", "collection" },
                        { "options", collection.Options },
                        { "info",
                            new BsonDocument { { "readOnly", false },
                                { "uuid",
                                    new BsonBinaryData(collection.Uuid.ToByteArray(bigEndian: true), BsonBinarySubType.UuidStandard) } } },
                        { "idIndex", new BsonDocument { { "v", 2 }, { "key", new BsonDocument("_id", 1) }, { "name", "_id_" } } },
                    };
                if (filter.Matches(entry))
                {
                    entries.Add(entry);
                }
            }

            return entries;
        });

        return Task.FromResult(context.Cursors.FirstBatch(
            $"{context.Database}.$cmd.listCollections", results, CatalogBatch.Size(context), singleBatch: false));
    }
}

/// <summary><c>create</c>: an explicit collection, with its options kept for <c>listCollections</c>.</summary>
internal sealed class CreateCommand : ICommandHandler
{
    private static readonly Regex ValidName = new(@"^[^\0$][^\0]*$", RegexOptions.Compiled);

    public IReadOnlyList<string> Names { get; } = ["create"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        if (!ValidName.IsMatch(name) || name.StartsWith("system.", StringComparison.Ordinal))
        {
            throw new MongoErrorException(ErrorCodes.InvalidNamespace, $"Invalid collection name: {name}");
        }

        var options =
            new BsonDocument(
                context.Command.Skip(1).Where(e =>
                    e.Name is not ("$db" or "lsid" or "$clusterTime" or "writeConcern" or "$readPreference" or "txnNumber" or "comment"
                        or "autocommit" or "startTransaction")));
        CappedOptions.Normalise(options);
        if (context.Transaction is { } transaction)
        {
            // Created at commit: until then only the transaction knows of it, as with mongod's DDL in transactions.
            context.Write(writer =>
            {
                if (writer.Collection(context.Database, name) is not null || transaction.Creates(context.Database, name))
                {
                    throw new MongoErrorException(ErrorCodes.NamespaceExists, $"Collection {context.Namespace} already exists.");
                }

                transaction.BufferCatalog(context.Database, CatalogOperations.Create(name, options));
                return 0;
            });
            return new BsonDocument();
        }

        var opTime = context.WriteNow(unit =>
        {
            if (unit.Collection(context.Database, name) is not null)
            {
                throw new MongoErrorException(ErrorCodes.NamespaceExists, $"Collection {context.Namespace} already exists.");
            }

            unit.Command(context.Database, CatalogOperations.Create(name, options));
            return unit.LastOpTime;
        });
        var reply = new BsonDocument();
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }
}

/// <summary><c>drop</c>: removes a collection (MongoDB 7.0 answers ok for a collection that does not exist).</summary>
internal sealed class DropCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["drop"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var reply = new BsonDocument();
        var opTime = context.WriteNow(unit =>
        {
            if (unit.Collection(context.Database, name) is { } collection)
            {
                reply["nIndexesWas"] = collection.Indexes.Count;
                reply["ns"] = context.Namespace;
                unit.Command(context.Database, CatalogOperations.Drop(name));
            }

            return unit.LastOpTime;
        });
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }
}

/// <summary><c>dropDatabase</c>: removes a database and everything in it.</summary>
internal sealed class DropDatabaseCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["dropDatabase"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var reply = new BsonDocument();
        var opTime = context.WriteNow(unit =>
        {
            if (unit.DatabaseNames.Contains(context.Database, StringComparer.Ordinal))
            {
                // mongod drops (and logs) each collection first, which change streams report as drop events.
                foreach (var name in unit.Collections(context.Database).Select(c => c.Name).Order(StringComparer.Ordinal).ToList())
                {
                    unit.Command(context.Database, CatalogOperations.Drop(name));
                }

                unit.Command(context.Database, CatalogOperations.DropDatabase());
                reply["dropped"] = context.Database;
            }

            return unit.LastOpTime;
        });
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }
}

/// <summary><c>createIndexes</c>: unique, compound, sparse, partial and TTL indexes; existing identical indexes are a no-op.</summary>
internal sealed class CreateIndexesCommand : ICommandHandler
{
    private static readonly HashSet<string> KnownOptions = new(StringComparer.Ordinal)
    {
        "key", "name", "unique", "sparse", "partialFilterExpression", "expireAfterSeconds", "background", "collation", "hidden", "v", "ns",
            "weights", "default_language", "language_override", "textIndexVersion", "2dsphereIndexVersion", "bits", "min", "max",
                "wildcardProjection",
    };

    public IReadOnlyList<string> Names { get; } = ["createIndexes"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var specs = context.RequiredArray("indexes");
        if (specs.Count == 0)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "Must specify at least one index to create");
        }

        if (context.Transaction is { } transaction)
        {
            return CreateInTransaction(context, transaction, name, specs);
        }

        var reply = new BsonDocument();
        var opTime = context.WriteNow(unit =>
        {
            var existed = unit.Collection(context.Database, name) is not null;
            var collection = unit.GetOrCreateCollection(context.Database, name);
            var before = collection.Indexes.Count;
            foreach (var value in specs)
            {
                var spec = Normalize(value);
                if (collection.FindIndexByKey(spec["key"].AsBsonDocument) is { } sameKey)
                {
                    if (sameKey.Name != spec["name"].AsString)
                    {
                        throw new MongoErrorException(ErrorCodes.IndexOptionsConflict,
                            $"Index already exists with a different name: {sameKey.Name}");
                    }

                    if (sameKey.Unique != spec.GetValue("unique", false).ToBoolean())
                    {
                        throw new MongoErrorException(ErrorCodes.IndexKeySpecsConflict,
                            $"An existing index has the same name as the requested index but different options. Requested index: " +
                                $"{spec.ToJson()}, existing index: {sameKey.Spec.ToJson()}");
                    }

                    continue;
                }

                if (collection.FindIndex(spec["name"].AsString) is { } sameName)
                {
                    throw new MongoErrorException(ErrorCodes.IndexKeySpecsConflict,
                        $"An existing index has the same name as the requested index but different key. Requested index: " +
                            $"{spec.ToJson()}, existing index: {sameName.Spec.ToJson()}");
                }

                unit.Command(context.Database, CatalogOperations.CreateIndex(name, spec));
            }

            reply["numIndexesBefore"] = before;
            reply["numIndexesAfter"] = collection.Indexes.Count;
            reply["createdCollectionAutomatically"] = !existed;
            if (before == collection.Indexes.Count)
            {
                reply["note"] = "all indexes already exist";
            }

            return unit.LastOpTime;
        });
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }

    // mongod 4.4+: inside a transaction, indexes only on a collection the transaction creates (and has not written
    // to yet); they appear at commit with the collection.
    private static BsonDocument CreateInTransaction(CommandContext context, Transaction transaction, string name, BsonArray specs) =>
        context.Write(writer =>
        {
            if (writer.Collection(context.Database, name) is not null)
            {
                throw new MongoErrorException(
                    ErrorCodes.OperationNotSupportedInTransaction,
                    $"Cannot create new indexes on existing collection {context.Namespace} in a multi-document transaction.");
            }

            if (transaction.BufferedDocuments(context.Database, name).Any())
            {
                throw new MongoErrorException(
                    ErrorCodes.OperationNotSupportedInTransaction,
                    $"Cannot create new indexes on non-empty collection {context.Namespace} in a multi-document transaction.");
            }

            var created = transaction.Creates(context.Database, name);
            if (!created)
            {
                transaction.BufferCatalog(context.Database, CatalogOperations.Create(name, null));
            }

            var existing = transaction.CreatedIndexes(context.Database, name).ToList();
            var before = 1 + existing.Count;
            foreach (var value in specs)
            {
                var spec = Normalize(value);
                if (spec["key"].Equals(new BsonDocument("_id", 1)) || existing.Any(i => i["key"].Equals(spec["key"])
                    || i["name"] == spec["name"]))
                {
                    continue;
                }

                transaction.BufferCatalog(context.Database, CatalogOperations.CreateIndex(name, spec));
                existing.Add(spec);
            }

            var reply = new BsonDocument
            {
                { "numIndexesBefore", before },
                { "numIndexesAfter", 1 + existing.Count },
                { "createdCollectionAutomatically", !created },
            };
            if (before == 1 + existing.Count)
            {
                reply["note"] = "all indexes already exist";
            }

            return reply;
        });

    private static BsonDocument Normalize(BsonValue value)
    {
        if (value is not BsonDocument spec)
        {
            throw new MongoErrorException(ErrorCodes.TypeMismatch, "each index specification must be an object");
        }

        if (!spec.TryGetValue("key", out var keyValue) || keyValue is not BsonDocument key || key.ElementCount == 0)
        {
            throw new MongoErrorException(ErrorCodes.CannotCreateIndex, "The 'key' field is a required property of an index specification");
        }

        foreach (var element in key)
        {
            if (element.Value.IsString)
            {
                throw new MongoErrorException(ErrorCodes.CannotCreateIndex,
                    $"Index type '{element.Value.AsString}' on field '{element.Name}' is not supported by the emulator; only ascending " +
                        $"(1) and descending (-1) keys are.");
            }

            if (!element.Value.IsNumeric || element.Value.ToDouble() == 0)
            {
                throw new MongoErrorException(ErrorCodes.CannotCreateIndex,
                    $"Values in the index key pattern can't be 0 or non-numbers: {key.ToJson()}");
            }
        }

        foreach (var element in spec)
        {
            if (!KnownOptions.Contains(element.Name))
            {
                throw new MongoErrorException(ErrorCodes.InvalidOptions,
                    $"The field '{element.Name}' is not valid for an index specification. Specification: {spec.ToJson()}");
            }
        }

        var normalized = new BsonDocument { { "v", 2 }, { "key", key } };
        var name = spec.TryGetValue("name", out var n) && n.IsString ? n.AsString
            : string.Join("_", key.Select(e => $"{e.Name}_{e.Value.ToInt32()}"));
        normalized["name"] = name;
        foreach (var element in spec.Where(e => e.Name is not ("v" or "key" or "name" or "ns" or "background")))
        {
            normalized[element.Name] = element.Value;
        }

        if (normalized.TryGetValue("expireAfterSeconds", out var ttl) && (!ttl.IsNumeric || ttl.ToDouble() < 0))
        {
            throw new MongoErrorException(ErrorCodes.CannotCreateIndex,
                "TTL index 'expireAfterSeconds' option must be a non-negative number");
        }

        return normalized;
    }
}

/// <summary><c>listIndexes</c>: a collection's index specifications as a cursor.</summary>
internal sealed class ListIndexesCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["listIndexes"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        // At the command's read concern, like every read.
        var specs = context.Read(reader =>
        {
            var collection = reader.Collection(context.Database, name)
                ?? throw new MongoErrorException(ErrorCodes.NamespaceNotFound, $"ns does not exist: {context.Namespace}");
            return collection.Indexes.Select(i => i.Spec).ToList();
        });

        // mongod's listIndexes cursors live in the namespace <db>.$cmd.listIndexes.<collection>.
        return Task.FromResult(context.Cursors.FirstBatch(
            $"{context.Database}.$cmd.listIndexes.{name}", specs, CatalogBatch.Size(context), singleBatch: false));
    }
}

/// <summary><c>dropIndexes</c>: by name, key pattern, list of names, or <c>"*"</c> for all but <c>_id</c>.</summary>
internal sealed class DropIndexesCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["dropIndexes", "deleteIndexes"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var target = context.Command.GetValue("index", BsonNull.Value);
        var reply = new BsonDocument();
        var opTime = context.WriteNow(unit =>
        {
            var collection = unit.Collection(context.Database, name)
                ?? throw new MongoErrorException(ErrorCodes.NamespaceNotFound, $"ns not found {context.Namespace}");
            reply["nIndexesWas"] = collection.Indexes.Count;
            foreach (var indexName in Resolve(collection, target))
            {
                if (indexName == "_id_")
                {
                    throw new MongoErrorException(ErrorCodes.InvalidOptions, "cannot drop _id index");
                }

                unit.Command(context.Database, CatalogOperations.DropIndex(name, indexName));
            }

            return unit.LastOpTime;
        });
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }

    private static List<string> Resolve(CollectionStore collection, BsonValue target)
    {
        switch (target)
        {
            case BsonString { Value: "*" }:
                return collection.Indexes.Where(i => !i.IsIdIndex).Select(i => i.Name).ToList();
            case BsonString name:
                return [(collection.FindIndex(name.Value) ?? throw NotFound(name.Value)).Name];
            case BsonArray names:
                return names.Select(n => (collection.FindIndex(n.AsString) ?? throw NotFound(n.AsString)).Name).ToList();
            case BsonDocument key:
                return [(collection.FindIndexByKey(key)
                    ?? throw new MongoErrorException(ErrorCodes.IndexNotFound, $"can't find index with key: {key.ToJson()}")).Name];
            default:
                throw new MongoErrorException(ErrorCodes.TypeMismatch,
                    "dropIndexes 'index' must be a name, a key pattern, a list of names or \"*\"");
        }
    }

    private static MongoErrorException NotFound(string name) => new(ErrorCodes.IndexNotFound, $"index not found with name [{name}]");
}

/// <summary>
/// The first batch of listCollections and listIndexes: everything (mongod's default batch size there is unbounded,
/// not find's 101) unless <c>cursor.batchSize</c> says otherwise.
/// </summary>
internal static class CatalogBatch
{
    public static int Size(CommandContext context) =>
        context.OptionalDocument("cursor") is { } cursor && cursor.TryGetValue("batchSize", out var size) && size.IsNumeric
            ? size.ToInt32()
            : int.MaxValue;
}
