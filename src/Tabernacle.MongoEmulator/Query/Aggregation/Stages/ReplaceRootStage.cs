using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$replaceRoot / $replaceWith: the document becomes the value of an expression, which must be an object.</summary>
internal sealed class ReplaceRootStage(AggregationExpression newRoot) : IPipelineStage
{
    public static IPipelineStage CompileReplaceRoot(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(40229, $"expected an object as specification for $replaceRoot stage, got {TypeNames.Of(specification)}");
        }

        BsonValue? newRoot = null;
        foreach (var element in spec)
        {
            if (element.Name != "newRoot")
            {
                throw new MongoErrorException(40415, $"BSON field '$replaceRoot.{element.Name}' is an unknown field.");
            }

            newRoot = element.Value;
        }

        if (newRoot is null)
        {
            throw new MongoErrorException(40414, "BSON field '$replaceRoot.newRoot' is missing but a required field");
        }

        return new ReplaceRootStage(context.CompileExpression(newRoot));
    }

    public static IPipelineStage CompileReplaceWith(BsonValue specification, StageCompileContext context) =>
        new ReplaceRootStage(context.CompileExpression(specification));

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        foreach (var document in input)
        {
            var value = newRoot.Evaluate(document, run.Scope);
            if (value is not BsonDocument result)
            {
                var shown = value is null ? "MISSING" : value.ToString();
                throw new MongoErrorException(40228, $"'replacement document' must evaluate to an object, but resulting value was: {shown}. Type of resulting value: '{TypeNames.Of(value)}'. Input document: {document}");
            }

            yield return result;
        }
    }
}

/// <summary>$sortByCount: $group by the expression with a count, then sort by count descending.</summary>
internal sealed class SortByCountStage(IPipelineStage group, IPipelineStage sort) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        var valid = specification switch
        {
            BsonString s => s.Value.StartsWith('$'),
            BsonDocument d => d.ElementCount == 1 && d.GetElement(0).Name.StartsWith('$'),
            _ => false,
        };
        if (!valid)
        {
            throw new MongoErrorException(40148, "the sortByCount field must be defined as a $-prefixed path or an expression");
        }

        var group = GroupStage.Compile(new BsonDocument { { "_id", specification }, { "count", new BsonDocument("$sum", 1) } }, context);
        var sort = SortStage.Compile(new BsonDocument("count", -1), context);
        return new SortByCountStage(group, sort);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run) =>
        sort.Execute(group.Execute(input, run), run);
}

/// <summary>$sample: a uniformly random subset of <c>size</c> documents, in random order.</summary>
internal sealed class SampleStage(long size) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(28745, "the $sample stage specification must be an object");
        }

        BsonValue? sizeValue = null;
        foreach (var element in spec)
        {
            if (element.Name != "size")
            {
                throw new MongoErrorException(28748, $"unrecognized option to $sample: {element.Name}");
            }

            sizeValue = element.Value;
        }

        if (sizeValue is null)
        {
            throw new MongoErrorException(28749, "$sample stage must specify a size");
        }

        if (!Numbers.IsNumber(sizeValue))
        {
            throw new MongoErrorException(28746, "size argument to $sample must be a number");
        }

        var size = (long)BsonValueComparer.ToDouble(sizeValue);
        if (size < 0)
        {
            throw new MongoErrorException(28747, "size argument to $sample must not be negative");
        }

        return new SampleStage(size);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        // Reservoir sampling keeps memory at O(size) over large collections; then a shuffle randomises the order.
        var reservoir = new List<BsonDocument>();
        long seen = 0;
        foreach (var document in input)
        {
            seen++;
            if (reservoir.Count < size)
            {
                reservoir.Add(document);
            }
            else
            {
                var j = Random.Shared.NextInt64(seen);
                if (j < size)
                {
                    reservoir[(int)j] = document;
                }
            }
        }

        var shuffled = reservoir.ToArray();
        Random.Shared.Shuffle(shuffled);
        return shuffled;
    }
}

/// <summary>$documents: the pipeline's input is the array the expression evaluates to (the stage input is ignored).</summary>
internal sealed class DocumentsStage(AggregationExpression documents) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context) =>
        new DocumentsStage(context.CompileExpression(specification));

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var value = documents.Evaluate([], run.Scope);
        if (value is not BsonArray array)
        {
            throw new MongoErrorException(5858203, "an array is expected");
        }

        var result = new List<BsonDocument>(array.Count);
        foreach (var item in array)
        {
            result.Add(item as BsonDocument ?? throw new MongoErrorException(ErrorCodes.TypeMismatch, "$documents elements must be objects"));
        }

        return result;
    }
}

/// <summary>$unionWith: the input, then another collection's documents (optionally through a pipeline).</summary>
internal sealed class UnionWithStage(string collection, IPipelineStage[]? pipeline) : IPipelineStage
{
    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        switch (specification)
        {
            case BsonString name:
                return new UnionWithStage(name.Value, null);
            case BsonDocument spec:
                string? coll = null;
                IPipelineStage[]? stages = null;
                foreach (var element in spec)
                {
                    switch (element.Name)
                    {
                        case "coll":
                            coll = element.Value as BsonString is { } s ? s.Value : throw new MongoErrorException(ErrorCodes.TypeMismatch, "BSON field '$unionWith.coll' is the wrong type, expected type 'string'");
                            break;
                        case "pipeline":
                            stages = context.CompileSubPipeline(element.Value, "$unionWith", ErrorCodes.TypeMismatch);
                            break;
                        default:
                            throw new MongoErrorException(40415, $"BSON field '$unionWith.{element.Name}' is an unknown field.");
                    }
                }

                if (coll is null && (stages is null || spec["pipeline"].AsBsonArray.Count == 0 || !spec["pipeline"][0].AsBsonDocument.Contains("$documents")))
                {
                    throw new MongoErrorException(ErrorCodes.FailedToParse, "$unionWith stage without explicit collection must have a pipeline with $documents as first stage");
                }

                return new UnionWithStage(coll ?? string.Empty, stages);
            default:
                throw new MongoErrorException(ErrorCodes.FailedToParse, $"the $unionWith stage specification must be an object or string, but found {TypeNames.Of(specification)}");
        }
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        foreach (var document in input)
        {
            yield return document;
        }

        var other = collection.Length == 0 ? [] : run.Collections.ReadCollection(collection);
        var results = pipeline is null ? other : AggregationPipeline.Run(pipeline, other, run);
        foreach (var document in results)
        {
            yield return document;
        }
    }
}
