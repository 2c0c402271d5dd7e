using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>The document an upsert starts from: the filter's equality fields, dotted paths expanded, <c>_id</c> first.</summary>
internal static class UpsertSeed
{
    public static BsonDocument From(QueryFilter filter)
    {
        foreach (var path in filter.AmbiguousEqualityPaths)
        {
            throw new MongoErrorException(ErrorCodes.NotSingleValueField,
                $"cannot infer query fields to set, path '{path}' is matched twice");
        }

        var paths = filter.EqualityConditions.Keys.ToList();
        foreach (var a in paths)
        {
            foreach (var b in paths)
            {
                if (b.StartsWith(a + ".", StringComparison.Ordinal))
                {
                    throw new MongoErrorException(ErrorCodes.NotSingleValueField,
                        $"cannot infer query fields to set, both paths '{a}' and '{b}' are matched");
                }
            }
        }

        var seed = new BsonDocument();
        if (filter.EqualityConditions.TryGetValue("_id", out var id))
        {
            seed.Add("_id", id.DeepClone());
        }

        foreach (var (path, value) in filter.EqualityConditions)
        {
            if (path != "_id")
            {
                SetPath(seed, path.Split('.'), value.DeepClone());
            }
        }

        return seed;
    }

    private static void SetPath(BsonDocument document, string[] parts, BsonValue value)
    {
        var current = document;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            if (current.TryGetValue(parts[i], out var next) && next is BsonDocument nested)
            {
                current = nested;
            }
            else
            {
                var created = new BsonDocument();
                current.Set(parts[i], created);
                current = created;
            }
        }

        current.Set(parts[^1], value);
    }
}
