using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Query.Expressions;

/// <summary>An operator of one argument whose value is computed before the operator runs.</summary>
internal sealed class UnaryOperatorExpression(AggregationExpression argument, Func<BsonValue?, BsonValue?> apply) : AggregationExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) => apply(argument.Evaluate(root, scope));
}

/// <summary>An operator of two eagerly evaluated arguments.</summary>
internal sealed class BinaryOperatorExpression(AggregationExpression left, AggregationExpression right,
    Func<BsonValue?, BsonValue?, BsonValue?> apply) : AggregationExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null) =>
        apply(left.Evaluate(root, scope), right.Evaluate(root, scope));
}

/// <summary>An operator of any number of eagerly evaluated arguments.</summary>
internal sealed class NaryOperatorExpression(AggregationExpression[] arguments, Func<BsonValue?[], BsonValue?> apply)
    : AggregationExpression
{
    public override BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null)
    {
        var values = new BsonValue?[arguments.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            values[i] = arguments[i].Evaluate(root, scope);
        }

        return apply(values);
    }
}

/// <summary>Building blocks the operator families share: argument-count checks and node construction.</summary>
internal static class Operator
{
    public static AggregationExpression[] Arguments(string name, BsonValue argument, ExpressionCompileContext context, int min, int max)
    {
        var arguments = ExpressionParser.ParseArguments(argument, context);
        if (arguments.Length < min || arguments.Length > max)
        {
            if (min == max)
            {
                throw new MongoErrorException(16020,
                    $"Expression {name} takes exactly {min} arguments. {arguments.Length} were passed in.");
            }

            if (max == int.MaxValue)
            {
                throw new MongoErrorException(16021,
                    $"Expression {name} takes at least {min} arguments. {arguments.Length} were passed in.");
            }

            throw new MongoErrorException(28667,
                $"Expression {name} takes at least {min} arguments, and at most {max}, but {arguments.Length} were passed in.");
        }

        return arguments;
    }

    public static OperatorCompiler Unary(Func<BsonValue?, BsonValue?> apply) =>
        (name, argument, context) => new UnaryOperatorExpression(Arguments(name, argument, context, 1, 1)[0], apply);

    public static OperatorCompiler Binary(Func<BsonValue?, BsonValue?, BsonValue?> apply) =>
        (name, argument, context) =>
        {
            var arguments = Arguments(name, argument, context, 2, 2);
            return new BinaryOperatorExpression(arguments[0], arguments[1], apply);
        };

    public static OperatorCompiler Nary(int min, int max, Func<BsonValue?[], BsonValue?> apply) =>
        (name, argument, context) => new NaryOperatorExpression(Arguments(name, argument, context, min, max), apply);

    public static bool IsNullish(BsonValue? value) => value is null || value.BsonType is BsonType.Null or BsonType.Undefined;

    public static BsonBoolean Bool(bool value) => value ? BsonBoolean.True : BsonBoolean.False;
}

/// <summary>The named arguments of an operator written as a document (<c>{$filter: {input, as, cond}}</c>).</summary>
internal sealed class NamedArguments
{
    private readonly Dictionary<string, BsonValue> _raw = new(StringComparer.Ordinal);
    private readonly ExpressionCompileContext _context;
    private readonly string _operator;

    private NamedArguments(string op, ExpressionCompileContext context)
    {
        _operator = op;
        _context = context;
    }

    /// <summary>Reads <paramref name="argument"/>; a non-document, an unknown name or a missing required name throws with the given
    /// codes.</summary>
    public static NamedArguments Parse(string op, BsonValue argument, ExpressionCompileContext context, string[] allowed, string[] required,
        int notObjectCode, int unknownCode, int missingCode)
    {
        if (argument is not BsonDocument document)
        {
            throw new MongoErrorException(notObjectCode,
                $"{op} expects an object as its argument, found input of type: {TypeNames.Of(argument)}");
        }

        var result = new NamedArguments(op, context);
        foreach (var element in document)
        {
            if (Array.IndexOf(allowed, element.Name) < 0)
            {
                throw new MongoErrorException(unknownCode, $"{op} found an unknown argument: {element.Name}");
            }

            result._raw[element.Name] = element.Value;
        }

        foreach (var name in required)
        {
            if (!result._raw.ContainsKey(name))
            {
                throw new MongoErrorException(missingCode, $"Missing '{name}' parameter to {op}");
            }
        }

        return result;
    }

    public bool Has(string name) => _raw.ContainsKey(name);

    public BsonValue? Raw(string name) => _raw.TryGetValue(name, out var value) ? value : null;

    /// <summary>The compiled expression for <paramref name="name"/>, or <c>null</c> when absent.</summary>
    public AggregationExpression? Expression(string name) =>
        _raw.TryGetValue(name, out var value) ? ExpressionParser.Parse(value, _context) : null;

    public AggregationExpression Required(string name) =>
        Expression(name) ?? throw new MongoErrorException(ErrorCodes.FailedToParse, $"Missing '{name}' parameter to {_operator}");
}

/// <summary>MongoDB's type names, as <c>$type</c> returns them and error messages quote them.</summary>
internal static class TypeNames
{
    public static string Of(BsonValue? value) => value is null ? "missing" : Of(value.BsonType);

    public static string Of(BsonType type) => Paths.BsonTypeNames.NameOf(type);
}
