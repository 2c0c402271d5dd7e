using MongoDB.Bson;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary>
/// Applies a <see cref="ValueMatcher"/> to the values a dotted path reaches, with MongoDB's traversal rules:
/// arrays met before the end of the path are searched element by element (documents only; nested arrays are not
/// entered), numeric components also index arrays, a path that stops at a scalar or a document without the field
/// yields "missing", and an array at the end of the path is tested whole and element by element.
/// </summary>
internal sealed class PathNode(FieldPath path, ValueMatcher matcher) : FilterNode
{
    public FieldPath Path { get; } = path;

    public ValueMatcher Matcher { get; } = matcher;

    public override bool Matches(BsonDocument document, MatchDetails? details) => MatchDocument(document, 0, details);

    private bool MatchDocument(BsonDocument document, int depth, MatchDetails? details)
    {
        var value = document.TryGetValue(Path.Parts[depth], out var found) ? found : null;
        return MatchValue(value, depth + 1, details);
    }

    private bool MatchValue(BsonValue? value, int depth, MatchDetails? details)
    {
        if (depth == Path.Length)
        {
            return MatchLeaf(value, details);
        }

        switch (value)
        {
            case BsonDocument document:
                return MatchDocument(document, depth, details);
            case BsonArray array:
                return MatchArray(array, depth, details);
            default:
                // The path continues past a scalar (or a missing field): the value there is missing.
                return Matcher.Matches(null);
        }
    }

    private bool MatchArray(BsonArray array, int depth, MatchDetails? details)
    {
        var index = Path.Indexes[depth];
        if (index >= 0 && index < array.Count && MatchValue(array[index], depth + 1, details))
        {
            return true;
        }

        for (var i = 0; i < array.Count; i++)
        {
            // Only embedded documents are searched; scalars and nested arrays do not have the field.
            if (array[i] is BsonDocument element && MatchDocument(element, depth, details))
            {
                if (details is not null)
                {
                    details.ElemMatchIndex = i;
                }

                return true;
            }
        }

        return false;
    }

    private bool MatchLeaf(BsonValue? value, MatchDetails? details)
    {
        if (value is BsonArray array && Matcher.ExpandsArrays)
        {
            for (var i = 0; i < array.Count; i++)
            {
                if (Matcher.Matches(array[i]))
                {
                    if (details is not null)
                    {
                        details.ElemMatchIndex = i;
                    }

                    return true;
                }
            }
        }

        if (details is not null && value is BsonArray whole && Matcher is IArrayPositionMatcher positional)
        {
            var index = positional.IndexOfMatch(whole);
            if (index >= 0)
            {
                details.ElemMatchIndex = index;
                return true;
            }

            return false;
        }

        return Matcher.Matches(value);
    }
}
