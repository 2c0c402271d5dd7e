using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// Sizes of a collection as <c>collStats</c> and <c>dbStats</c> report them: documents' BSON bytes, and each index's
/// entries at their key bytes plus a record id. The emulator keeps no pages, so storage size equals data size and
/// there is nothing free to report. Computed on request (a pass over the collection), as the stats are rarely asked for.
/// </summary>
internal static class StorageSizes
{
    public static (long Count, long DataSize, Dictionary<string, long> IndexSizes) Of(CollectionStore collection)
    {
        var dataSize = collection.DataSize;
        var indexSizes = collection.Indexes.ToDictionary(i => i.Name, i => i.EntryCount * (16L + (long)IndexKeyBytes(collection, i)));
        return (collection.Count, dataSize, indexSizes);
    }

    // An average key size from a sample of the documents, so that index sizes grow with their keys, not just their count.
    private static double IndexKeyBytes(CollectionStore collection, CollectionIndex index)
    {
        var sample = collection.Documents.Take(32).ToList();
        if (sample.Count == 0)
        {
            return 0;
        }

        return sample.Average(d =>
            index.KeyPattern.Names.Sum(f => d.TryGetValue(f, out var v) ? new BsonDocument("k", v).ToBson().Length - 5 : 2));
    }

    /// <summary>A count or size divided by <c>scale</c>, as int32 where it fits (mongod's appendNumber).</summary>
    public static BsonValue Scaled(long bytes, long scale) => Number(bytes / scale);

    public static BsonValue Number(long value) =>
        value is >= int.MinValue and <= int.MaxValue ? new BsonInt32((int)value) : new BsonInt64(value);

    public static long Scale(CommandContext context)
    {
        if (!context.Command.TryGetValue("scale", out var value) || value.IsBsonNull)
        {
            return 1;
        }

        if (!value.IsNumeric || value.ToDouble() < 1)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "Scale factor must be a positive number");
        }

        return value.ToInt64();
    }
}

/// <summary><c>collStats</c>: a collection's count, sizes, indexes and capped bounds, in mongod 7.0's shape.</summary>
internal sealed class CollStatsCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["collStats"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var scale = StorageSizes.Scale(context);
        var reply = context.Read(reader => Build(reader.Collection(context.Database, context.CollectionName), context.Namespace, scale));
        return Task.FromResult(reply);
    }

    /// <summary>The collStats reply, also <c>$collStats</c>'s <c>storageStats</c> (without <c>ns</c>); callers hold the storage
    /// lock.</summary>
    public static BsonDocument Build(CollectionStore? collection, string ns, long scale)
    {
        var (count, dataSize, indexSizes) = collection is null ? (0, 0, []) : StorageSizes.Of(collection);
        var totalIndexSize = indexSizes.Values.Sum();
        var stats = new BsonDocument
        {
            { "ns", ns },
            { "size", StorageSizes.Scaled(dataSize, scale) },
            { "count", StorageSizes.Number(count) },
            { "numOrphanDocs", 0 },
            { "storageSize", StorageSizes.Scaled(dataSize, scale) },
            { "freeStorageSize", 0 },
        };
        if (count > 0)
        {
            stats.InsertAt(3, new BsonElement("avgObjSize", StorageSizes.Number(dataSize / count)));
        }

        if (collection is not null)
        {
            var capped = collection.Options.TryGetValue("capped", out var c) && c.ToBoolean();
            stats["capped"] = capped;
            if (capped)
            {
                stats["max"] = collection.Options.GetValue("max", 0);
                stats["maxSize"] = StorageSizes.Scaled(collection.Options.GetValue("size", 0).ToInt64(), scale);
            }
        }

        stats["nindexes"] = indexSizes.Count;
        stats["indexBuilds"] = new BsonArray();
        stats["totalIndexSize"] = StorageSizes.Scaled(totalIndexSize, scale);
        stats["totalSize"] = StorageSizes.Scaled(dataSize + totalIndexSize, scale);
        stats["indexSizes"] = new BsonDocument(indexSizes.Select(i => new BsonElement(i.Key, StorageSizes.Scaled(i.Value, scale))));
        stats["scaleFactor"] = StorageSizes.Number(scale);
        return stats;
    }
}

/// <summary>
/// <c>$collStats</c> (first stage only): one document with <c>ns</c>, <c>host</c>, <c>localTime</c> and what the spec
/// asks for: <c>storageStats</c> (the collStats figures, <c>scale</c> honoured), <c>count</c>, and
/// <c>latencyStats</c>/<c>queryExecStats</c> (zeros: the emulator does not time operations). mongosh's
/// <c>collection.stats()</c> is built on it.
/// </summary>
internal static class CollStatsStage
{
    public static bool IsCollStats(BsonDocument stage) => stage.ElementCount == 1 && stage.GetElement(0).Name == "$collStats";

    public static BsonDocument Build(CommandContext context, CollectionStore? collection, BsonDocument stage)
    {
        if (stage[0] is not BsonDocument spec)
        {
            throw new MongoErrorException(ErrorCodes.TypeMismatch, "$collStats must take a nested object but found: " + stage[0]);
        }

        var result = new BsonDocument
        {
            { "ns", context.Namespace },
            { "host", context.Self.Host },
            { "localTime", context.Set.UtcNow },
        };
        if (spec.Contains("latencyStats"))
        {
            var zero = new BsonDocument { { "latency", 0L }, { "ops", 0L } };
            result["latencyStats"] = new BsonDocument
            {
                { "reads", zero.DeepClone() }, { "writes", zero.DeepClone() }, { "commands", zero.DeepClone() },
                    { "transactions", zero.DeepClone() },
            };
        }

        if (spec.TryGetValue("storageStats", out var storage))
        {
            if (collection is null)
            {
                throw new MongoErrorException(
                    ErrorCodes.NamespaceNotFound,
                    $"Unable to retrieve storageStats in $collStats stage :: caused by :: Collection [{context.Namespace}] not found.");
            }

            var scale = storage is BsonDocument options && options.TryGetValue("scale", out var s) && s.IsNumeric ? Math.Max(1, s.ToInt64())
                : 1;
            var stats = CollStatsCommand.Build(collection, context.Namespace, scale);
            stats.Remove("ns");
            result["storageStats"] = stats;
        }

        if (spec.Contains("count"))
        {
            result["count"] = StorageSizes.Number(collection?.Count ?? 0);
        }

        if (spec.Contains("queryExecStats"))
        {
            result["queryExecStats"] = new BsonDocument("collectionScans", new BsonDocument { { "total", 0L }, { "nonTailable", 0L } });
        }

        return result;
    }
}

/// <summary><c>dbStats</c>: a database's collections, objects, data and index sizes, in mongod 7.0's shape.</summary>
internal sealed class DbStatsCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["dbStats", "dbstats"];

    public CommandAccess Access => CommandAccess.Read;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var scale = StorageSizes.Scale(context);
        var reply = context.Read(reader =>
        {
            var collections = reader.Collections(context.Database).ToList();
            long objects = 0, dataSize = 0, indexSize = 0, indexes = 0;
            foreach (var collection in collections)
            {
                var (count, size, indexSizes) = StorageSizes.Of(collection);
                objects += count;
                dataSize += size;
                indexSize += indexSizes.Values.Sum();
                indexes += indexSizes.Count;
            }

            return new BsonDocument
            {
                { "db", context.Database },
                { "collections", StorageSizes.Number(collections.Count) },
                { "views", 0 },
                { "objects", StorageSizes.Number(objects) },
                { "avgObjSize", objects == 0 ? 0.0 : dataSize / (double)objects },
                { "dataSize", StorageSizes.Scaled(dataSize, scale) },
                { "storageSize", StorageSizes.Scaled(dataSize, scale) },
                { "indexes", StorageSizes.Number(indexes) },
                { "indexSize", StorageSizes.Scaled(indexSize, scale) },
                { "totalSize", StorageSizes.Scaled(dataSize + indexSize, scale) },
                { "scaleFactor", StorageSizes.Number(scale) },
                { "fsUsedSize", 0 },
                { "fsTotalSize", 0 },
            };
        });
        return Task.FromResult(reply);
    }
}

/// <summary>
/// <c>$indexStats</c> (first stage only): one document per index with its name, key, host, spec, and how many queries
/// used it since it was created (<c>accesses.ops</c>, counted on this member only, as mongod's).
/// </summary>
internal static class IndexStatsStage
{
    public static bool IsIndexStats(BsonDocument stage) => stage.ElementCount == 1 && stage.GetElement(0).Name == "$indexStats";

    public static List<BsonDocument> Build(CommandContext context, CollectionStore? collection) =>
        collection?.Indexes.Select(index => new BsonDocument
        {
            { "name", index.Name },
            { "key", index.KeyPattern },
            { "host", context.Self.Host },
            { "accesses", new BsonDocument { { "ops", index.Accesses }, { "since", index.AccessesSince } } },
            { "spec", index.Spec },
        }).ToList() ?? [];
}
