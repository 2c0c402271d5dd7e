using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>
/// $lookup: for each input document, the matching documents of another collection in an array field. Equality form
/// (localField/foreignField, with array semantics on both sides, null matching null and missing), pipeline form with
/// let variables, or both combined (equality first, then the pipeline).
/// </summary>
internal sealed class LookupStage : IPipelineStage
{
    private readonly string? _from;
    private readonly string[] _as;
    private readonly string[]? _localField;
    private readonly string[]? _foreignField;
    private readonly (string Name, AggregationExpression Value)[] _let;
    private readonly IPipelineStage[]? _pipeline;
    private readonly BsonValueComparer _comparer;

    private LookupStage(string? from, string[] asPath, string[]? localField, string[]? foreignField, (string, AggregationExpression)[] let,
        IPipelineStage[]? pipeline, BsonValueComparer comparer)
    {
        _from = from;
        _as = asPath;
        _localField = localField;
        _foreignField = foreignField;
        _let = let;
        _pipeline = pipeline;
        _comparer = comparer;
    }

    public static IPipelineStage Compile(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, "the $lookup specification must be an Object");
        }

        string? from = null, asField = null, localField = null, foreignField = null;
        BsonDocument? let = null;
        BsonValue? pipeline = null;
        foreach (var element in spec)
        {
            switch (element.Name)
            {
                case "from":
                    from = element.Value switch
                    {
                        BsonString s => s.Value,
                        BsonDocument d when d.Contains("coll") && d["coll"].IsString => d["coll"].AsString,
                        _ => throw new MongoErrorException(ErrorCodes.FailedToParse,
                            $"$lookup 'from' field must be a string, but found {TypeNames.Of(element.Value)}"),
                    };
                    break;
                case "as":
                    asField = RequireString(element);
                    break;
                case "localField":
                    localField = RequireString(element);
                    break;
                case "foreignField":
                    foreignField = RequireString(element);
                    break;
                case "let":
                    let = element.Value as BsonDocument
                        ?? throw new MongoErrorException(ErrorCodes.FailedToParse,
                            $"$lookup argument 'let' must be an object, is type {TypeNames.Of(element.Value)}");
                    break;
                case "pipeline":
                    pipeline = element.Value;
                    break;
                default:
                    throw new MongoErrorException(ErrorCodes.FailedToParse, $"unknown argument to $lookup: {element.Name}");
            }
        }

        if (asField is null)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, "must specify 'as' field for a $lookup");
        }

        if ((localField is null) != (foreignField is null))
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse,
                "$lookup requires both or neither of 'localField' and 'foreignField' to be specified");
        }

        if (localField is null && pipeline is null)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse,
                "$lookup requires either 'pipeline' or both 'localField' and 'foreignField' to be specified");
        }

        if (from is null && pipeline is null)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, "must specify 'from' field for a $lookup");
        }

        if (from is null && !FirstStageIsDocuments(pipeline))
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse,
                "$lookup stage without explicit collection must have a pipeline with $documents as first stage");
        }

        var letVariables = new List<(string, AggregationExpression)>();
        if (let is not null)
        {
            foreach (var element in let)
            {
                letVariables.Add((VariableNames.Validate(element.Name), context.CompileExpression(element.Value)));
            }
        }

        var stages = pipeline is null ? null : context.CompileSubPipeline(pipeline, "$lookup", ErrorCodes.FailedToParse);
        return new LookupStage(from, asField.Split('.'), localField?.Split('.'), foreignField?.Split('.'), [.. letVariables], stages,
            context.Expressions.Comparer);
    }

    private static bool FirstStageIsDocuments(BsonValue? pipeline) =>
        pipeline is BsonArray { Count: > 0 } array && array[0] is BsonDocument first && first.Contains("$documents");

    private static string RequireString(BsonElement element) =>
        element.Value is BsonString s
            ? s.Value
            : throw new MongoErrorException(ErrorCodes.FailedToParse,
                $"$lookup argument '{element.Name}: {element.Value}' must be a string, is type {TypeNames.Of(element.Value)}");

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        // The foreign collection is read once per run; equality lookups index it by foreign key.
        List<BsonDocument>? foreign = null;
        Dictionary<BsonValue, List<int>>? index = null;
        // Without 'from', the foreign documents come from the pipeline's leading $documents stage; the equality
        // match then applies to them, before the rest of the pipeline.
        var documentsSource = _from is null && _pipeline is { Length: > 0 } && _pipeline[0] is DocumentsStage;
        var remaining = documentsSource ? _pipeline![1..] : _pipeline;
        foreach (var document in input)
        {
            var subRun = run;
            if (_let.Length > 0)
            {
                var values = new List<(string, BsonValue?)>(_let.Length);
                foreach (var (name, expression) in _let)
                {
                    values.Add((name, expression.Evaluate(document, run.Scope)));
                }

                subRun = run.WithVariables(values);
            }

            if (documentsSource)
            {
                foreign = [.. _pipeline![0].Execute([], subRun)];
                index = null;
            }
            else
            {
                foreign ??= _from is null ? [] : [.. run.Collections.ReadCollection(_from)];
            }

            IEnumerable<BsonDocument> candidates = foreign;
            if (_localField is not null)
            {
                index ??= BuildIndex(foreign);
                candidates = Match(document, foreign, index);
            }

            if (remaining is not null)
            {
                candidates = AggregationPipeline.Run(remaining, candidates, subRun);
            }

            var matches = new BsonArray();
            foreach (var match in candidates)
            {
                matches.Add(match);
            }

            yield return SetPath(document, 0, matches);
        }
    }

    /// <summary>Indexes foreign documents by every value at foreignField: each array element and the array itself; missing is
    /// null.</summary>
    private Dictionary<BsonValue, List<int>> BuildIndex(List<BsonDocument> foreign)
    {
        var index = new Dictionary<BsonValue, List<int>>(_comparer);
        var keys = new List<BsonValue>();
        for (var i = 0; i < foreign.Count; i++)
        {
            keys.Clear();
            CollectKeys(foreign[i], _foreignField!, 0, keys);

            foreach (var key in keys)
            {
                if (!index.TryGetValue(key, out var list))
                {
                    index[key] = list = [];
                }

                if (list.Count == 0 || list[^1] != i)
                {
                    list.Add(i);
                }
            }
        }

        return index;
    }

    /// <summary>
    /// The foreign side matches like the query <c>{foreignField: value}</c>: arrays of documents on the way are traversed,
    /// a terminal array yields both its elements and itself, and a path that ends early (missing field, or a scalar
    /// where a document was needed) yields null. Scalars inside an array on the way yield nothing.
    /// </summary>
    private static void CollectKeys(BsonValue value, string[] path, int depth, List<BsonValue> keys)
    {
        if (depth == path.Length)
        {
            if (value is BsonArray array)
            {
                keys.AddRange(array);
            }

            keys.Add(value);
            return;
        }

        switch (value)
        {
            case BsonDocument document:
                if (document.TryGetValue(path[depth], out var next))
                {
                    CollectKeys(next, path, depth + 1, keys);
                }
                else
                {
                    keys.Add(BsonNull.Value);
                }

                break;
            case BsonArray array:
                foreach (var item in array)
                {
                    if (item is BsonDocument)
                    {
                        CollectKeys(item, path, depth, keys);
                    }
                }

                break;
            default:
                keys.Add(BsonNull.Value);
                break;
        }
    }

    /// <summary>
    /// The local side is a set of values: arrays of documents on the way are traversed (a numeric path part indexes
    /// the array), a terminal array contributes its elements (not itself), missing contributes nothing, and an empty
    /// set means null, so a missing field or an empty array matches foreign null and missing.
    /// </summary>
    private static void CollectLocalValues(BsonValue value, string[] path, int depth, List<BsonValue> values)
    {
        if (depth == path.Length)
        {
            if (value is BsonArray leaf)
            {
                values.AddRange(leaf);
            }
            else
            {
                values.Add(value);
            }

            return;
        }

        switch (value)
        {
            case BsonDocument document:
                if (document.TryGetValue(path[depth], out var next))
                {
                    CollectLocalValues(next, path, depth + 1, values);
                }

                break;
            case BsonArray array when IsArrayIndex(path[depth]):
                var index = int.Parse(path[depth], System.Globalization.CultureInfo.InvariantCulture);
                if (index < array.Count)
                {
                    CollectLocalValues(array[index], path, depth + 1, values);
                }

                break;
            case BsonArray array:
                foreach (var item in array)
                {
                    if (item is BsonDocument)
                    {
                        CollectLocalValues(item, path, depth, values);
                    }
                }

                break;
        }
    }

    private static bool IsArrayIndex(string part) => part.Length is > 0 and < 10 && part.All(char.IsAsciiDigit);

    private IEnumerable<BsonDocument> Match(BsonDocument document, List<BsonDocument> foreign, Dictionary<BsonValue, List<int>> index)
    {
        // The local values work like {foreignField: {$in: localValues}}.
        var localValues = new List<BsonValue>();
        CollectLocalValues(document, _localField!, 0, localValues);
        if (localValues.Count == 0)
        {
            localValues.Add(BsonNull.Value);
        }

        var positions = new SortedSet<int>();
        foreach (var value in localValues)
        {
            if (index.TryGetValue(value, out var list))
            {
                positions.UnionWith(list);
            }
        }

        foreach (var position in positions)
        {
            yield return foreign[position];
        }
    }

    private BsonDocument SetPath(BsonDocument document, int depth, BsonValue value)
    {
        var copy = new BsonDocument(document);
        if (depth == _as.Length - 1)
        {
            copy.Set(_as[depth], value);
            return copy;
        }

        var child = copy.GetValue(_as[depth], null) as BsonDocument ?? [];
        copy.Set(_as[depth], SetPath(child, depth + 1, value));
        return copy;
    }
}
