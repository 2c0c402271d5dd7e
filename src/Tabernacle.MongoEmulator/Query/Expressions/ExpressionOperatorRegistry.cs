using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions.Operators;

namespace Tabernacle.MongoEmulator.Query.Expressions;

/// <summary>Compiles the argument of one operator (<c>{$name: argument}</c>) into a node.</summary>
internal delegate AggregationExpression OperatorCompiler(string name, BsonValue argument, ExpressionCompileContext context);

/// <summary>Every expression operator by name; each family (arithmetic, string, date, ...) registers its own.</summary>
internal static class ExpressionOperatorRegistry
{
    private static readonly Dictionary<string, OperatorCompiler> Operators = Build();

    public static bool IsOperator(string name) => Operators.ContainsKey(name);

    public static AggregationExpression Compile(string name, BsonValue argument, ExpressionCompileContext context)
    {
        if (!Operators.TryGetValue(name, out var compiler))
        {
            throw new MongoErrorException(ErrorCodes.InvalidPipelineOperator, $"Unrecognized expression '{name}'");
        }

        return compiler(name, argument, context);
    }

    private static Dictionary<string, OperatorCompiler> Build()
    {
        var registry = new Dictionary<string, OperatorCompiler>(StringComparer.Ordinal);
        ArithmeticOperators.Register(registry);
        BitwiseOperators.Register(registry);
        ComparisonOperators.Register(registry);
        BooleanOperators.Register(registry);
        ConditionalOperators.Register(registry);
        VariableOperators.Register(registry);
        StringOperators.Register(registry);
        RegexOperators.Register(registry);
        ArrayOperators.Register(registry);
        SetOperators.Register(registry);
        ObjectOperators.Register(registry);
        DateOperators.Register(registry);
        TypeOperators.Register(registry);
        AccumulatorExpressionOperators.Register(registry);
        return registry;
    }
}
