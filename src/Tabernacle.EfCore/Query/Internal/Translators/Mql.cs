using MongoDB.Bson;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>Small builders for the MQL the function translators produce, so each translator reads like the MQL it emits.</summary>
internal static class Mql
{
    public static MqlFunctionExpression Call(string name, Type type, params MqlExpression[] arguments) => new(name, arguments, type);

    public static MqlFunctionExpression Unary(string name, MqlExpression argument, Type type) =>
        new(name, [argument], type, argumentsAsArray: false);

    public static MqlNamedArgumentsExpression Named(string name, Type type, params (string Name, MqlExpression Value)[] arguments) =>
        new(name, arguments.Select(a => new KeyValuePair<string, MqlExpression>(a.Name, a.Value)).ToList(), type);

    public static MqlConstantExpression Constant<T>(T value) => new(value, typeof(T));

    /// <summary>The call belongs to the translator's family but has no MQL form, for the reason given.</summary>
    public static MqlUntranslatableExpression Untranslatable(string reason, Type type) => new(reason, type);

    /// <summary>An aggregation variable such as <c>$$NOW</c> or a <c>$map</c>'s <c>$$this</c>.</summary>
    public static MqlRawExpression Variable(string name, Type type) => new(new BsonString("$$" + name), type);

    public static MqlBinaryExpression Binary(MqlOperator op, MqlExpression left, MqlExpression right, Type type) =>
        new(op, left, right, type);

    public static MqlBinaryExpression Equal(MqlExpression left, MqlExpression right) => new(MqlOperator.Equal, left, right, typeof(bool));

    public static MqlBinaryExpression And(MqlExpression left, MqlExpression right) => new(MqlOperator.And, left, right, typeof(bool));

    public static MqlBinaryExpression Or(MqlExpression left, MqlExpression right) => new(MqlOperator.Or, left, right, typeof(bool));

    public static MqlExpression Add(MqlExpression left, MqlExpression right, Type type) =>
        new MqlBinaryExpression(MqlOperator.Add, left, right, type);

    public static MqlExpression Multiply(MqlExpression left, MqlExpression right, Type type) =>
        new MqlBinaryExpression(MqlOperator.Multiply, left, right, type);

    /// <summary>A division that stays fractional (<see cref="MqlOperator.Divide"/> truncates when its type is integral).</summary>
    public static MqlExpression Divide(MqlExpression left, MqlExpression right) => Call("$divide", typeof(double), left, right);

    public static MqlExpression Conditional(MqlExpression test, MqlExpression ifTrue, MqlExpression ifFalse, Type type) =>
        new MqlConditionalExpression(test, ifTrue, ifFalse, type);

    /// <summary><c>$ifNull</c>: MongoDB operators that take null return null (or "" for some), C# often needs a fallback.</summary>
    public static MqlExpression IfNull(MqlExpression value, MqlExpression fallback) =>
        value is MqlConstantExpression { Value: not null } ? value
            : new MqlBinaryExpression(MqlOperator.Coalesce, value, fallback, fallback.Type);

    public static bool IsConstant(MqlExpression expression, out object? value)
    {
        value = (expression as MqlConstantExpression)?.Value;
        return expression is MqlConstantExpression;
    }

    public static Type Unwrap(Type type) => Nullable.GetUnderlyingType(type) ?? type;

    public static bool IsIntegral(Type type)
    {
        var t = Unwrap(type);
        return !t.IsEnum && (t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte)
            || t == typeof(sbyte) || t == typeof(ushort) || t == typeof(uint) || t == typeof(ulong));
    }

    public static bool IsFloating(Type type)
    {
        var t = Unwrap(type);
        return t == typeof(double) || t == typeof(float);
    }

    public static bool IsNumeric(Type type) => IsIntegral(type) || IsFloating(type) || Unwrap(type) == typeof(decimal);

    /// <summary>Whether a numeric argument is a whole number for sure (integral type, or a constant without fraction).</summary>
    public static bool IsWholeNumber(MqlExpression expression) =>
        IsIntegral(expression.Type)
        || expression is MqlConstantExpression { Value: double d } && Math.Abs(d) < 1e15 && d == Math.Floor(d)
        || expression is MqlConstantExpression { Value: decimal m } && m == decimal.Floor(m);
}
