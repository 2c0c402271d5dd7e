using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Storage;

/// <summary>Dotted-path lookups the storage layer needs for index keys.</summary>
internal static class DocumentPath
{
    /// <summary>
    /// The index key values of <paramref name="path"/> in <paramref name="document"/>: one value, or one per element
    /// when the path reaches an array (multikey); a missing field indexes as null.
    /// </summary>
    public static List<BsonValue> IndexKeyValues(BsonDocument document, string path, out bool present)
    {
        var results = new List<BsonValue>();
        Collect(document, path.Split('.'), 0, results);
        present = results.Count > 0;
        if (results.Count == 0)
        {
            results.Add(BsonNull.Value);
        }

        return results;
    }

    private static void Collect(BsonValue current, string[] parts, int index, List<BsonValue> results)
    {
        if (index == parts.Length)
        {
            if (current is BsonArray array)
            {
                if (array.Count == 0)
                {
                    // An empty array indexes as undefined in MongoDB; null keeps uniqueness semantics close enough.
                    results.Add(BsonUndefined.Value);
                }

                foreach (var item in array)
                {
                    results.Add(item);
                }
            }
            else
            {
                results.Add(current);
            }

            return;
        }

        switch (current)
        {
            case BsonDocument doc when doc.TryGetValue(parts[index], out var child):
                Collect(child, parts, index + 1, results);
                break;
            case BsonArray array:
                if (int.TryParse(parts[index], out var position) && position >= 0 && position < array.Count)
                {
                    Collect(array[position], parts, index + 1, results);
                }
                else
                {
                    foreach (var item in array)
                    {
                        if (item is BsonDocument)
                        {
                            Collect(item, parts, index, results);
                        }
                    }
                }

                break;
        }
    }
}
