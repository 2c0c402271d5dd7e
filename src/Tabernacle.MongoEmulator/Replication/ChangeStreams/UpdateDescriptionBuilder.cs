using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Replication.ChangeStreams;

/// <summary>
/// An update event's <c>updateDescription</c>, derived by comparing the document before and after: the emulator logs
/// post-images, and the difference is what mongod's v2 oplog diff records (fields set, fields removed, arrays cut
/// short), with sub-documents and arrays compared element by element so that a <c>$set</c> of <c>a.b</c> reports
/// <c>a.b</c>, not the whole of <c>a</c>.
/// </summary>
internal static class UpdateDescriptionBuilder
{
    public static BsonDocument Build(BsonDocument before, BsonDocument after)
    {
        var updated = new BsonDocument();
        var removed = new BsonArray();
        var truncated = new BsonArray();
        CompareDocuments(before, after, "", updated, removed, truncated);
        return new BsonDocument
        {
            { "updatedFields", updated },
            { "removedFields", removed },
            { "truncatedArrays", truncated },
        };
    }

    private static void CompareDocuments(
        BsonDocument before, BsonDocument after, string prefix, BsonDocument updated, BsonArray removed, BsonArray truncated)
    {
        foreach (var element in before)
        {
            if (!after.Contains(element.Name))
            {
                removed.Add(prefix + element.Name);
            }
        }

        foreach (var element in after)
        {
            var path = prefix + element.Name;
            if (!before.TryGetValue(element.Name, out var old))
            {
                updated[path] = element.Value;
            }
            else
            {
                CompareValues(old, element.Value, path, updated, removed, truncated);
            }
        }
    }

    private static void CompareValues(
        BsonValue old, BsonValue value, string path, BsonDocument updated, BsonArray removed, BsonArray truncated)
    {
        if (old.Equals(value) && old.BsonType == value.BsonType)
        {
            return;
        }

        switch (old, value)
        {
            case (BsonDocument oldDocument, BsonDocument newDocument) when oldDocument.ElementCount > 0:
                CompareDocuments(oldDocument, newDocument, path + ".", updated, removed, truncated);
                break;
            case (BsonArray oldArray, BsonArray newArray) when oldArray.Count > 0:
                if (newArray.Count < oldArray.Count)
                {
                    truncated.Add(new BsonDocument { { "field", path }, { "newSize", newArray.Count } });
                }

                for (var i = 0; i < newArray.Count; i++)
                {
                    if (i >= oldArray.Count)
                    {
                        updated[$"{path}.{i}"] = newArray[i];
                    }
                    else
                    {
                        CompareValues(oldArray[i], newArray[i], $"{path}.{i}", updated, removed, truncated);
                    }
                }

                break;
            default:
                updated[path] = value;
                break;
        }
    }
}
