using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;
using Tabernacle.MongoEmulator.Query.Sorting;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Accumulators;

/// <summary>
/// One compiled <c>{$op: argument}</c> of <c>$group</c> or <c>$bucket</c>: what to evaluate per document and how to
/// create the per-group state. <see cref="Feed"/> adds one document to a state.
/// </summary>
internal sealed class AccumulatorDefinition(AggregationExpression input, Func<BsonDocument, ExpressionScope?, Accumulator> create)
{
    public Accumulator Create(BsonDocument firstDocument, ExpressionScope? scope) => create(firstDocument, scope);

    public void Feed(Accumulator accumulator, BsonDocument document, ExpressionScope? scope)
    {
        var value = input.Evaluate(document, scope);
        if (accumulator is TopBottomAccumulator ordered)
        {
            ordered.AddDocument(document, value);
        }
        else
        {
            accumulator.Add(value);
        }
    }
}

/// <summary>Accumulator operators by name, as <c>$group</c> accepts them.</summary>
internal static class AccumulatorRegistry
{
    public static AccumulatorDefinition Compile(string field, BsonValue specification, ExpressionCompileContext context)
    {
        if (specification is not BsonDocument document || document.ElementCount == 0)
        {
            throw new MongoErrorException(40234, $"The field '{field}' must be an accumulator object");
        }

        if (document.ElementCount > 1)
        {
            throw new MongoErrorException(40238, $"The field '{field}' must specify one accumulator");
        }

        var name = document.GetElement(0).Name;
        var argument = document[0];
        var comparer = context.Comparer;
        switch (name)
        {
            case "$sum": return Simple(name, argument, context, () => new SumAccumulator());
            case "$avg": return Simple(name, argument, context, () => new AvgAccumulator());
            case "$min": return Simple(name, argument, context, () => new ExtremeAccumulator(comparer, max: false));
            case "$max": return Simple(name, argument, context, () => new ExtremeAccumulator(comparer, max: true));
            case "$first": return Simple(name, argument, context, () => new FirstAccumulator());
            case "$last": return Simple(name, argument, context, () => new LastAccumulator());
            case "$push": return Simple(name, argument, context, () => new PushAccumulator());
            case "$addToSet": return Simple(name, argument, context, () => new AddToSetAccumulator(comparer));
            case "$mergeObjects": return Simple(name, argument, context, () => new MergeObjectsAccumulator());
            case "$stdDevPop": return Simple(name, argument, context, () => new StdDevAccumulator(sample: false));
            case "$stdDevSamp": return Simple(name, argument, context, () => new StdDevAccumulator(sample: true));
            case "$count":
                if (argument is not BsonDocument { ElementCount: 0 })
                {
                    throw new MongoErrorException(ErrorCodes.TypeMismatch, "$count takes no arguments, i.e. $count:{}");
                }

                return new AccumulatorDefinition(new LiteralExpression(new BsonInt32(1)), (_, _) => new SumAccumulator());
            case "$firstN":
            case "$lastN":
                return CompileN(name, argument, context, (n, _) => new FirstLastNAccumulator(n, first: name == "$firstN"));
            case "$maxN":
            case "$minN":
                return CompileN(name, argument, context, (n, _) => new ExtremeNAccumulator(n, max: name == "$maxN", comparer));
            case "$top":
            case "$bottom":
            case "$topN":
            case "$bottomN":
                return CompileTopBottom(name, argument, context);
            case "$accumulator":
                // JavaScript: mongod with server-side JavaScript disabled fails on the first document, as here.
                return new AccumulatorDefinition(new LiteralExpression(BsonNull.Value), (_, _) => new JavaScriptAccumulator());
            default:
                throw AccumulatorErrors.Unknown(name);
        }
    }

    private static AccumulatorDefinition Simple(string name, BsonValue argument, ExpressionCompileContext context, Func<Accumulator> create)
    {
        // Accumulators are unary: {$sum: [a, b]} is an error in $group (the array would be the single argument).
        if (argument is BsonArray)
        {
            throw new MongoErrorException(40237, $"The {name} accumulator is a unary operator");
        }

        return new AccumulatorDefinition(AggregationExpression.Compile(argument, context), (_, _) => create());
    }

    private static AccumulatorDefinition CompileN(string name, BsonValue argument, ExpressionCompileContext context,
        Func<int, BsonValueComparer, Accumulator> create)
    {
        if (argument is not BsonDocument document)
        {
            throw new MongoErrorException(5787801, $"specification must be an object; found {argument}");
        }

        foreach (var element in document)
        {
            if (element.Name is not ("input" or "n"))
            {
                throw new MongoErrorException(5787901, $"Unknown argument for 'n' operator: {element.Name}");
            }
        }

        if (!document.Contains("input"))
        {
            throw new MongoErrorException(5787907, $"{name} requires an 'input' field");
        }

        if (!document.Contains("n"))
        {
            throw new MongoErrorException(5787906, $"{name} requires an 'n' field");
        }

        var input = AggregationExpression.Compile(document["input"], context);
        var n = AggregationExpression.Compile(document["n"], context);
        return new AccumulatorDefinition(input, (first, scope) =>
            create(AccumulatorN.Validate(name, n.Evaluate(first, scope)), context.Comparer));
    }

    private static AccumulatorDefinition CompileTopBottom(string name, BsonValue argument, ExpressionCompileContext context)
    {
        var single = name is "$top" or "$bottom";
        if (argument is not BsonDocument document)
        {
            throw new MongoErrorException(5788001, $"specification must be an object; found {argument}");
        }

        foreach (var element in document)
        {
            if (element.Name is not ("output" or "sortBy" or "n") || (single && element.Name == "n"))
            {
                throw new MongoErrorException(5788002, $"Unknown argument to {name} '{element.Name}'");
            }
        }

        if (!document.Contains("output"))
        {
            throw new MongoErrorException(5788004, $"Missing value for 'output'");
        }

        if (document.GetValue("sortBy", null) is not BsonDocument sortBy)
        {
            throw new MongoErrorException(5788005, $"Missing value for 'sortBy'");
        }

        if (!single && !document.Contains("n"))
        {
            throw new MongoErrorException(5788003, "Missing value for 'n'");
        }

        var sort = DocumentSortComparer.Compile(sortBy, context.Collation);
        var output = AggregationExpression.Compile(document["output"], context);
        var top = name is "$top" or "$topN";
        if (single)
        {
            return new AccumulatorDefinition(output, (_, _) => new TopBottomAccumulator(sort, 1, top, single: true));
        }

        var n = AggregationExpression.Compile(document["n"], context);
        return new AccumulatorDefinition(output, (first, scope) =>
            new TopBottomAccumulator(sort, AccumulatorN.Validate(name, n.Evaluate(first, scope)), top, single: false));
    }
}

/// <summary><c>$accumulator</c> without a JavaScript engine: 31264 on the first value, as mongod with JavaScript disabled.</summary>
internal sealed class JavaScriptAccumulator : Accumulator
{
    public override void Add(BsonValue? value) =>
        throw new MongoErrorException(31264, "Cannot run server-side javascript without the javascript engine enabled");

    public override BsonValue Result() => BsonNull.Value;
}
