using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>
/// A compiled update: a replacement document, an update-operator document (<c>$set</c>, <c>$inc</c>, ...) or an
/// aggregation pipeline (a <see cref="BsonArray"/> of <c>$set/$unset/$replaceWith/$project/...</c> stages).
/// </summary>
internal sealed class DocumentUpdate
{
    private const string ImmutableIdMessage = "Performing an update on the path '_id' would modify the immutable field '_id'";

    private readonly BsonDocument? _replacement;
    private readonly OperatorUpdateCompiler? _operators;
    private readonly PipelineUpdate? _pipeline;
    private readonly ArrayFilterSet _arrayFilters = ArrayFilterSet.Empty;
    private readonly BsonValueComparer _comparer = BsonValueComparer.Default;

    private DocumentUpdate()
    {
    }

    private DocumentUpdate(BsonDocument replacement)
    {
        _replacement = replacement;
        IsReplacement = true;
    }

    private DocumentUpdate(OperatorUpdateCompiler operators, ArrayFilterSet arrayFilters, BsonValueComparer comparer)
    {
        _operators = operators;
        _arrayFilters = arrayFilters;
        _comparer = comparer;
    }

    private DocumentUpdate(PipelineUpdate pipeline) => _pipeline = pipeline;

    /// <summary>Compiles <paramref name="update"/>; invalid updates throw <see cref="Errors.MongoErrorException"/> with MongoDB's
    /// code.</summary>
    public static DocumentUpdate Compile(BsonValue update, BsonArray? arrayFilters = null, Collation? collation = null,
        BsonDocument? variables = null)
    {
        ArgumentNullException.ThrowIfNull(update);
        switch (update)
        {
            case BsonArray stages:
                if (arrayFilters is { Count: > 0 })
                {
                    throw new MongoErrorException(ErrorCodes.FailedToParse, "arrayFilters may not be specified for pipeline-style updates");
                }

                return new DocumentUpdate(new PipelineUpdate(stages, collation, variables));
            case BsonDocument document when document.ElementCount > 0 && document.GetElement(0).Name.StartsWith('$'):
                var filters = ArrayFilterSet.Compile(arrayFilters, collation, variables);
                return new DocumentUpdate(OperatorUpdateCompiler.Compile(document, filters, collation, variables), filters,
                    BsonValueComparer.For(collation));
            case BsonDocument replacement:
                ValidateReplacement(replacement);
                return new DocumentUpdate(replacement);
            default:
                throw new MongoErrorException(ErrorCodes.FailedToParse, "Update argument must be either an object or an array");
        }
    }

    /// <summary>Whether this is a replacement document rather than operators or a pipeline.</summary>
    public bool IsReplacement { get; }

    /// <summary>
    /// Applies the update to a copy of <paramref name="original"/> and returns the new document (the input is never mutated).
    /// <paramref name="isUpsertInsert"/> enables <c>$setOnInsert</c>. <paramref name="now"/> is the time for
    /// <c>$currentDate</c> and <c>$$NOW</c>. Errors (an immutable <c>_id</c> change: 66; <c>$inc</c> on a string: 14) throw.
    /// </summary>
    public BsonDocument Apply(BsonDocument original, MatchDetails? match, bool isUpsertInsert, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(original);
        BsonDocument result;
        if (_replacement is not null)
        {
            result = _replacement.DeepClone().AsBsonDocument;
        }
        else if (_pipeline is not null)
        {
            result = _pipeline.Apply(original.DeepClone().AsBsonDocument, now);
        }
        else
        {
            result = ApplyOperators(original, match, isUpsertInsert, now);
        }

        // Replacements and pipelines may leave _id out and keep the original; operators that remove it modify it.
        return KeepIdFirstAndUnchanged(original, result, restoreMissingId: _operators is null);
    }

    /// <summary>
    /// Builds the document an upsert inserts when nothing matched: the filter's equality conditions (dotted paths expanded),
    /// then the update applied with <c>$setOnInsert</c> active (or the replacement, keeping the filter's <c>_id</c>).
    /// </summary>
    public BsonDocument CreateUpsertDocument(QueryFilter filter, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(filter);
        BsonDocument result;
        if (_replacement is not null)
        {
            // A replacement keeps only the filter's _id, none of its other fields.
            result = _replacement.DeepClone().AsBsonDocument;
            if (!result.Contains("_id") && filter.EqualityConditions.TryGetValue("_id", out var id))
            {
                result.InsertAt(0, new BsonElement("_id", id.DeepClone()));
            }
        }
        else
        {
            result = Apply(UpsertSeed.From(filter), null, isUpsertInsert: true, now);
        }

        if (!result.Contains("_id"))
        {
            result.InsertAt(0, new BsonElement("_id", ObjectId.GenerateNewId()));
        }

        return MoveIdFirst(result);
    }

    private BsonDocument ApplyOperators(BsonDocument original, MatchDetails? match, bool isUpsertInsert, DateTime now)
    {
        var document = original.DeepClone().AsBsonDocument;
        var context = new UpdateContext(document, match, isUpsertInsert, now, _comparer, _arrayFilters, _operators!.RenameSources.Count);
        for (var i = 0; i < _operators.RenameSources.Count; i++)
        {
            context.RenameValues[i] = ReadRenameSource(document, _operators.RenameSources[i]);
        }

        _operators.Root.ApplyTo(document, string.Empty, throughArray: false, context);
        return document;
    }

    /// <summary>Reads a <c>$rename</c> source; it may not lie inside an array.</summary>
    private static BsonValue? ReadRenameSource(BsonDocument document, FieldPath source)
    {
        BsonValue? current = document;
        foreach (var part in source.Parts)
        {
            switch (current)
            {
                case BsonDocument nested:
                    current = nested.TryGetValue(part, out var next) ? next : null;
                    break;
                case BsonArray:
                    throw new MongoErrorException(ErrorCodes.BadValue,
                        $"The source field cannot be an array element, '{source}' in doc with {source.Parts[0]}: " +
                            $"{ShellFormat.Format(document[source.Parts[0]])}");
                default:
                    return null;
            }
        }

        return current;
    }

    private static void ValidateReplacement(BsonDocument replacement)
    {
        foreach (var element in replacement)
        {
            if (element.Name.StartsWith('$'))
            {
                throw new MongoErrorException(
                    ErrorCodes.DollarPrefixedFieldName,
                    $"The dollar ($) prefixed field '{element.Name}' in '{element.Name}' is not allowed in the context of an update's " +
                        $"replacement document. Consider using an aggregation pipeline with $replaceWith.");
            }
        }
    }

    /// <summary>The <c>_id</c> cannot change; a result without one keeps the original's; it always comes first.</summary>
    private static BsonDocument KeepIdFirstAndUnchanged(BsonDocument original, BsonDocument result, bool restoreMissingId)
    {
        if (original.TryGetValue("_id", out var originalId))
        {
            if (!result.TryGetValue("_id", out var newId))
            {
                if (!restoreMissingId)
                {
                    throw new MongoErrorException(ErrorCodes.ImmutableField, ImmutableIdMessage);
                }

                result.InsertAt(0, new BsonElement("_id", originalId.DeepClone()));
                return result;
            }

            if (newId.BsonType != originalId.BsonType || !newId.Equals(originalId))
            {
                throw new MongoErrorException(ErrorCodes.ImmutableField, ImmutableIdMessage);
            }
        }

        return MoveIdFirst(result);
    }

    private static BsonDocument MoveIdFirst(BsonDocument document)
    {
        var index = document.IndexOfName("_id");
        if (index > 0)
        {
            var id = document[index];
            document.RemoveAt(index);
            document.InsertAt(0, new BsonElement("_id", id));
        }

        return document;
    }
}
