using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$facet: runs several sub-pipelines over the same (buffered) input; outputs one document of arrays.</summary>
internal sealed class FacetStage(string[] names, IPipelineStage[][] pipelines) : IPipelineStage
{
    private static readonly HashSet<string> ForbiddenInside = new(StringComparer.Ordinal)
    {
        "$facet", "$out", "$merge", "$collStats", "$indexStats", "$geoNear", "$changeStream", "$documents", "$search", "$searchMeta",
    };

    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(15947, "the $facet specification must be a non-empty object");
        }

        if (spec.ElementCount == 0)
        {
            throw new MongoErrorException(40169, "the $facet specification must be a non-empty object");
        }

        var names = new string[spec.ElementCount];
        var pipelines = new IPipelineStage[spec.ElementCount][];
        for (var i = 0; i < spec.ElementCount; i++)
        {
            var element = spec.GetElement(i);
            if (element.Name.Length == 0 || element.Name.StartsWith('$') || element.Name.Contains('.', StringComparison.Ordinal))
            {
                throw new MongoErrorException(40352,
                    $"$facet pipeline names must be non-empty, cannot start with '$' and cannot contain '.': {element.Name}");
            }

            if (element.Value is not BsonArray stages)
            {
                throw new MongoErrorException(40170,
                    $"arguments to $facet must be arrays, {element.Name} is type {Expressions.TypeNames.Of(element.Value)}");
            }

            foreach (var stage in stages)
            {
                if (stage is BsonDocument { ElementCount: 1 } stageDocument && ForbiddenInside.Contains(stageDocument.GetElement(0).Name))
                {
                    throw new MongoErrorException(40600,
                        $"{stageDocument.GetElement(0).Name} is not allowed to be used within a $facet stage");
                }
            }

            names[i] = element.Name;
            pipelines[i] = context.CompileSubPipeline(stages, "$facet", 40170);
        }

        return new FacetStage(names, pipelines);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        var buffered = input.ToList();
        var result = new BsonDocument();
        for (var i = 0; i < names.Length; i++)
        {
            result.Add(names[i], new BsonArray(AggregationPipeline.Run(pipelines[i], buffered, run)));
        }

        yield return result;
    }
}
