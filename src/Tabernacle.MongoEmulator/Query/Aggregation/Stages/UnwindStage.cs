using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>
/// $unwind: one output document per array element. A non-array value passes through as is; null, missing and empty
/// arrays are dropped unless preserveNullAndEmptyArrays.
/// </summary>
internal sealed class UnwindStage(string[] path, string? indexField, bool preserve) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        string pathText;
        string? indexField = null;
        var preserve = false;
        switch (specification)
        {
            case BsonString s:
                pathText = s.Value;
                break;
            case BsonDocument document:
                BsonValue? pathValue = null;
                foreach (var element in document)
                {
                    switch (element.Name)
                    {
                        case "path":
                            pathValue = element.Value;
                            break;
                        case "includeArrayIndex":
                            if (element.Value is not BsonString index || index.Value.Length == 0)
                            {
                                throw new MongoErrorException(28810,
                                    $"expected a non-empty string for the includeArrayIndex option to $unwind stage, got " +
                                        $"{TypeNames.Of(element.Value)}");
                            }

                            if (index.Value.StartsWith('$'))
                            {
                                throw new MongoErrorException(28822,
                                    $"includeArrayIndex option to $unwind stage should not be prefixed with a '$': {index.Value}");
                            }

                            indexField = index.Value;
                            break;
                        case "preserveNullAndEmptyArrays":
                            if (element.Value is not BsonBoolean flag)
                            {
                                throw new MongoErrorException(28809,
                                    $"expected a boolean for the preserveNullAndEmptyArrays option to $unwind stage, got " +
                                        $"{TypeNames.Of(element.Value)}");
                            }

                            preserve = flag.Value;
                            break;
                        default:
                            throw new MongoErrorException(28811, $"unrecognized option to $unwind stage: {element.Name}");
                    }
                }

                if (pathValue is null)
                {
                    throw new MongoErrorException(28812, "no path specified to $unwind stage");
                }

                if (pathValue is not BsonString p)
                {
                    throw new MongoErrorException(28808, $"expected a string as the path for $unwind stage, got {TypeNames.Of(pathValue)}");
                }

                pathText = p.Value;
                break;
            default:
                throw new MongoErrorException(15981,
                    $"expected either a string or an object as specification for $unwind stage, got {TypeNames.Of(specification)}");
        }

        if (pathText.Length == 0)
        {
            throw new MongoErrorException(40719, "no path specified to $unwind stage");
        }

        if (!pathText.StartsWith('$'))
        {
            throw new MongoErrorException(28818, $"path option to $unwind stage should be prefixed with a '$': {pathText}");
        }

        return new UnwindStage(pathText[1..].Split('.'), indexField, preserve);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        foreach (var document in input)
        {
            var value = GetPath(document);
            if (value is BsonArray array && array.Count > 0)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    yield return With(document, array[i], new BsonInt64(i));
                }
            }
            else if (value is BsonArray)
            {
                if (preserve)
                {
                    // An empty array is preserved with the field removed and a null index.
                    yield return With(document, null, BsonNull.Value);
                }
            }
            else if (value is null || value.IsBsonNull)
            {
                if (preserve)
                {
                    yield return indexField is null ? document : With(document, value, BsonNull.Value);
                }
            }
            else
            {
                yield return indexField is null ? document : With(document, value, BsonNull.Value);
            }
        }
    }

    private BsonValue? GetPath(BsonDocument document)
    {
        BsonValue current = document;
        foreach (var part in path)
        {
            if (current is not BsonDocument d || !d.TryGetValue(part, out var next))
            {
                return null;
            }

            current = next;
        }

        return current;
    }

    /// <summary>A copy of <paramref name="document"/> with the path set to <paramref name="value"/> (removed when null) and the index
    /// field.</summary>
    private BsonDocument With(BsonDocument document, BsonValue? value, BsonValue index)
    {
        var result = SetPath(document, 0, value);
        if (indexField is not null)
        {
            result = SetPath(result, indexField.Split('.'), 0, index);
        }

        return result;
    }

    private BsonDocument SetPath(BsonDocument document, int depth, BsonValue? value) => SetPath(document, path, depth, value);

    private static BsonDocument SetPath(BsonDocument document, string[] parts, int depth, BsonValue? value)
    {
        var copy = new BsonDocument(document);
        var name = parts[depth];
        if (depth == parts.Length - 1)
        {
            if (value is null)
            {
                copy.Remove(name);
            }
            else
            {
                copy.Set(name, value);
            }

            return copy;
        }

        var child = copy.GetValue(name, null) as BsonDocument ?? [];
        copy.Set(name, SetPath(child, parts, depth + 1, value));
        return copy;
    }
}
