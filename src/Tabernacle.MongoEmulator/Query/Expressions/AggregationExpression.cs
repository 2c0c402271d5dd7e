using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Expressions;

/// <summary>
/// A compiled aggregation expression (<c>"$field"</c>, <c>{$add: [...]}</c>, literals, <c>$$variables</c>).
/// A missing value is represented by a C# <c>null</c>, distinct from <see cref="BsonNull"/>.
/// </summary>
internal abstract class AggregationExpression
{
    /// <summary>Compiles <paramref name="expression"/>; an unknown operator throws <see cref="Errors.MongoErrorException"/> naming it (code
    /// 168 InvalidPipelineOperator).</summary>
    public static AggregationExpression Compile(BsonValue expression, ExpressionCompileContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(expression);
        return ExpressionParser.Parse(expression, context ?? ExpressionCompileContext.Default);
    }

    /// <summary>Evaluates against <paramref name="root"/> (<c>$$ROOT</c> and <c>$$CURRENT</c>); returns <c>null</c> for missing.</summary>
    public abstract BsonValue? Evaluate(BsonDocument root, ExpressionScope? scope = null);

    /// <summary>MongoDB's truthiness: false, null, missing, undefined and numeric zero are false; everything else is true.</summary>
    public static bool IsTruthy(BsonValue? value) => value switch
    {
        null => false,
        { BsonType: BsonType.Null or BsonType.Undefined } => false,
        { BsonType: BsonType.Boolean } => value.AsBoolean,
        { BsonType: BsonType.Int32 or BsonType.Int64 or BsonType.Double or BsonType.Decimal128 } => BsonValueComparer.ToDouble(value) != 0,
        _ => true,
    };
}

/// <summary>Compile-time settings of an expression: collation for string comparisons.</summary>
internal sealed record ExpressionCompileContext(Collation? Collation = null)
{
    /// <summary>Binary string comparison, no collation.</summary>
    public static ExpressionCompileContext Default { get; } = new();

    /// <summary>The comparer every comparing operator uses, so <c>$eq</c>, <c>$in</c> and set operators honour the collation.</summary>
    /// <remarks>Computed (not stored) so a <c>with</c> copy that changes the collation never keeps a stale comparer; operators read it
    /// once, at compile time.</remarks>
    public BsonValueComparer Comparer => BsonValueComparer.For(Collation);
}

/// <summary>
/// Run-time variables of an evaluation: user <c>let</c> variables, <c>$$NOW</c>, <c>$$CLUSTER_TIME</c>.
/// Nested scopes (from <c>$let</c>, <c>$map</c>, <c>$filter</c>) chain to their parent.
/// </summary>
internal sealed class ExpressionScope
{
    private readonly Dictionary<string, BsonValue?> _variables = new(StringComparer.Ordinal);

    public ExpressionScope(ExpressionScope? parent = null) => Parent = parent;

    public ExpressionScope? Parent { get; }

    /// <summary>A scope for variables bound inside an expression (<c>$let</c>, <c>$map</c>, ...) that keeps the run's
    /// <c>$$NOW</c>.</summary>
    public static ExpressionScope ChildOf(ExpressionScope? parent) =>
        parent is null ? new ExpressionScope() : new ExpressionScope(parent) { Now = parent.Now, ClusterTime = parent.ClusterTime };

    public DateTime Now { get; init; } = DateTime.UtcNow;

    public BsonTimestamp? ClusterTime { get; init; }

    public void Set(string name, BsonValue? value) => _variables[name] = value;

    public bool TryGet(string name, out BsonValue? value)
    {
        for (var scope = this; scope is not null; scope = scope.Parent)
        {
            if (scope._variables.TryGetValue(name, out value))
            {
                return true;
            }
        }

        value = null;
        return false;
    }
}
