using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>
/// A node of the provider's query model: a C# expression translated into something MongoDB evaluates. It is rendered
/// once per compiled query (<see cref="MqlRenderer"/>) into a filter or an aggregation expression.
/// </summary>
internal abstract class MqlExpression(Type type) : Expression
{
    public sealed override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type { get; } = type;

    /// <summary>The type mapping values compared with this expression should be written with (its converter).</summary>
    public virtual CoreTypeMapping? TypeMapping => null;

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    protected void PrintBinary(ExpressionPrinter printer, string op, Expression left, Expression right)
    {
        printer.Append("(");
        printer.Visit(left);
        printer.Append($" {op} ");
        printer.Visit(right);
        printer.Append(")");
    }
}

/// <summary>A field of the current document, by dotted path.</summary>
internal sealed class MqlFieldExpression(string path, Type type, IReadOnlyProperty? property, CoreTypeMapping? mapping,
    EntityDocumentExpression? root = null) : MqlExpression(type), IPrintableExpression
{
    public string Path { get; } = path;

    /// <summary>The row document the field belongs to, when known: a correlated subquery tells its outer row's fields by it.</summary>
    public EntityDocumentExpression? Root { get; } = root;

    public new IReadOnlyProperty? Property { get; } = property;

    public override CoreTypeMapping? TypeMapping { get; } = mapping;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append("$" + Path);
}

/// <summary>A constant, written with <see cref="TypeMapping"/> when one was inferred from the field it is compared with.</summary>
internal sealed class MqlConstantExpression(object? value, Type type, CoreTypeMapping? mapping = null) : MqlExpression(type),
    IPrintableExpression
{
    public object? Value { get; } = value;

    public override CoreTypeMapping? TypeMapping { get; } = mapping;

    public MqlConstantExpression WithMapping(CoreTypeMapping? mapping) => new(Value, Type, mapping);

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append(Value?.ToString() ?? "null");
}

/// <summary>How a parameter's value is turned into what the query sends (e.g. a string into an anchored regex).</summary>
internal enum ParameterTransform
{
    None,
    StartsWithPattern,
    EndsWithPattern,
    ContainsPattern,
    EqualsIgnoreCasePattern,

    /// <summary>An <c>EF.Functions.Like</c> pattern (<c>%</c>, <c>_</c>) turned into an anchored regular expression.</summary>
    LikePattern,
}

/// <summary>A query parameter, bound to its value at each execution: one compiled query serves every value.</summary>
internal sealed class MqlParameterExpression(string name, Type type, CoreTypeMapping? mapping = null,
    ParameterTransform transform = ParameterTransform.None) : MqlExpression(type), IPrintableExpression
{
    public string Name { get; } = name;

    public override CoreTypeMapping? TypeMapping { get; } = mapping;

    public ParameterTransform Transform { get; } = transform;

    public MqlParameterExpression WithMapping(CoreTypeMapping? mapping) => new(Name, Type, mapping, Transform);

    public MqlParameterExpression WithTransform(ParameterTransform transform) => new(Name, typeof(string), TypeMapping, transform);

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append("@" + Name);
}

/// <summary>The operators of <see cref="MqlBinaryExpression"/>.</summary>
internal enum MqlOperator
{
    Equal,
    NotEqual,
    GreaterThan,
    GreaterThanOrEqual,
    LessThan,
    LessThanOrEqual,
    And,
    Or,
    Add,
    Subtract,
    Multiply,
    Divide,
    Modulo,
    Coalesce,
    BitwiseAnd,
    BitwiseOr,
    ExclusiveOr,
}

/// <summary>A comparison, logical, arithmetic or null-coalescing operation.</summary>
internal sealed class MqlBinaryExpression(MqlOperator op, MqlExpression left, MqlExpression right, Type type) : MqlExpression(type),
    IPrintableExpression
{
    public MqlOperator Operator { get; } = op;

    public MqlExpression Left { get; } = left;

    public MqlExpression Right { get; } = right;

    public bool IsComparison => Operator is >= MqlOperator.Equal and <= MqlOperator.LessThanOrEqual;

    public void Print(ExpressionPrinter expressionPrinter) => PrintBinary(expressionPrinter, Operator.ToString(), Left, Right);
}

/// <summary>Logical negation.</summary>
internal sealed class MqlNotExpression(MqlExpression operand) : MqlExpression(typeof(bool)), IPrintableExpression
{
    public MqlExpression Operand { get; } = operand;

    public void Print(ExpressionPrinter expressionPrinter)
    {
        expressionPrinter.Append("NOT ");
        expressionPrinter.Visit(Operand);
    }
}

/// <summary>An aggregation operator applied to arguments (<c>{$toLower: ...}</c>, <c>{$strLenCP: ...}</c>).</summary>
internal sealed class MqlFunctionExpression(string name, IReadOnlyList<MqlExpression> arguments, Type type, bool argumentsAsArray = true)
    : MqlExpression(type), IPrintableExpression
{
    public string Name { get; } = name;

    public IReadOnlyList<MqlExpression> Arguments { get; } = arguments;

    /// <summary>Whether the operator takes an array of arguments (<c>{$add: [a, b]}</c>) rather than one (<c>{$toLower: a}</c>).</summary>
    public bool ArgumentsAsArray { get; } = argumentsAsArray;

    public void Print(ExpressionPrinter expressionPrinter)
    {
        expressionPrinter.Append(Name + "(");
        for (var i = 0; i < Arguments.Count; i++)
        {
            if (i > 0)
            {
                expressionPrinter.Append(", ");
            }

            expressionPrinter.Visit(Arguments[i]);
        }

        expressionPrinter.Append(")");
    }
}

/// <summary>A regular-expression match of a string field (StartsWith, EndsWith, Contains, Regex.IsMatch).</summary>
internal sealed class MqlRegexExpression(MqlExpression field, MqlExpression pattern, string options) : MqlExpression(typeof(bool)),
    IPrintableExpression
{
    public new MqlExpression Field { get; } = field;

    public MqlExpression Pattern { get; } = pattern;

    public string Options { get; } = options;

    public void Print(ExpressionPrinter expressionPrinter) => PrintBinary(expressionPrinter, "~", Field, Pattern);
}

/// <summary>Membership in a list (<c>$in</c>): the list is a parameter or constant collection.</summary>
internal sealed class MqlInExpression(MqlExpression item, MqlExpression values) : MqlExpression(typeof(bool)), IPrintableExpression
{
    public MqlExpression Item { get; } = item;

    public MqlExpression Values { get; } = values;

    public void Print(ExpressionPrinter expressionPrinter) => PrintBinary(expressionPrinter, "IN", Item, Values);
}

/// <summary>A conditional (<c>$cond</c>).</summary>
internal sealed class MqlConditionalExpression(MqlExpression test, MqlExpression ifTrue, MqlExpression ifFalse, Type type)
    : MqlExpression(type), IPrintableExpression
{
    public MqlExpression Test { get; } = test;

    public MqlExpression IfTrue { get; } = ifTrue;

    public MqlExpression IfFalse { get; } = ifFalse;

    public void Print(ExpressionPrinter expressionPrinter)
    {
        expressionPrinter.Visit(Test);
        expressionPrinter.Append(" ? ");
        expressionPrinter.Visit(IfTrue);
        expressionPrinter.Append(" : ");
        expressionPrinter.Visit(IfFalse);
    }
}

/// <summary>
/// An aggregation expression given directly as BSON (a system variable such as <c>"$$NOW"</c>, or an operator
/// document built by a translator). Only valid where aggregation expressions are.
/// </summary>
internal sealed class MqlRawExpression(MongoDB.Bson.BsonValue expression, Type type) : MqlExpression(type), IPrintableExpression
{
    public MongoDB.Bson.BsonValue Expression { get; } = expression;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append(Expression.ToString() ?? "");
}

/// <summary>Whether an array holds an item: a query-language match on the field in filters, <c>$in</c> in expressions.</summary>
internal sealed class MqlArrayContainsExpression(MqlExpression array, MqlExpression item) : MqlExpression(typeof(bool)),
    IPrintableExpression
{
    public MqlExpression Array { get; } = array;

    public MqlExpression Item { get; } = item;

    public void Print(ExpressionPrinter expressionPrinter) => PrintBinary(expressionPrinter, "CONTAINS", Array, Item);
}

/// <summary>
/// An operator whose argument is a document with named parts (<c>{$filter: {input, as, cond}}</c>): the template holds
/// <see cref="ArgumentMarker"/> where each translated argument goes, in order.
/// </summary>
internal sealed class MqlStructuredExpression(string name, MongoDB.Bson.BsonDocument template, IReadOnlyList<MqlExpression> arguments,
    Type type) : MqlExpression(type), IPrintableExpression
{
    public static readonly MongoDB.Bson.BsonValue ArgumentMarker = new MongoDB.Bson.BsonDocument("$$tabernacle_argument", true);

    public string Name { get; } = name;

    public MongoDB.Bson.BsonDocument Template { get; } = template;

    public IReadOnlyList<MqlExpression> Arguments { get; } = arguments;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append(Name + Template.ToString());
}

/// <summary>An array, or an empty array when it is missing or null.</summary>
internal sealed class MqlIfNullArrayExpression(MqlExpression array) : MqlExpression(array.Type), IPrintableExpression
{
    public MqlExpression Array { get; } = array;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Visit(Array);
}

/// <summary>A filter the application wrote (<c>FromMql</c>), bound from a query parameter at execution; valid only as a
/// predicate.</summary>
internal sealed class MqlRawFilterExpression(MqlParameterExpression filter) : MqlExpression(typeof(bool)), IPrintableExpression
{
    public MqlParameterExpression Filter { get; } = filter;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append("FromMql(@" + Filter.Name + ")");
}

/// <summary>
/// An array written in the query (<c>new object[] { o.Id, o.Name }</c>, the inline <c>params</c> array of
/// <c>string.Format</c>): an aggregation array literal of its translated elements.
/// </summary>
internal sealed class MqlArrayExpression(IReadOnlyList<MqlExpression> elements, Type type) : MqlExpression(type), IPrintableExpression
{
    public IReadOnlyList<MqlExpression> Elements { get; } = elements;

    public void Print(ExpressionPrinter expressionPrinter)
    {
        expressionPrinter.Append("[");
        for (var i = 0; i < Elements.Count; i++)
        {
            if (i > 0)
            {
                expressionPrinter.Append(", ");
            }

            expressionPrinter.Visit(Elements[i]);
        }

        expressionPrinter.Append("]");
    }
}

/// <summary>
/// A translator's answer that the call is its family's but has no MQL form, with the reason the application sees. It
/// ends the search (no later translator is asked) and is never rendered: the translating visitor reports the reason.
/// </summary>
internal sealed class MqlUntranslatableExpression(string reason, Type type) : MqlExpression(type), IPrintableExpression
{
    public string Reason { get; } = reason;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append("untranslatable(" + Reason + ")");
}
