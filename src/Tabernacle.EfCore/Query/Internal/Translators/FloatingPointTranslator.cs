using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// <c>double.IsNaN</c>, <c>IsInfinity</c>, <c>IsPositiveInfinity</c>, <c>IsNegativeInfinity</c>, <c>IsFinite</c>.
/// In MQL NaN equals NaN (BSON order), so <c>$eq</c> with NaN tests for it, where C# needs IsNaN because NaN ≠ NaN.
/// </summary>
internal sealed class FloatingPointTranslator : IMqlMethodCallTranslator
{
    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        if (instance is not null || (method.DeclaringType != typeof(double) && method.DeclaringType != typeof(float))
            || arguments.Count != 1)
        {
            return null;
        }

        var x = arguments[0];
        MqlExpression Is(double value) => Mql.Equal(x, Mql.Constant(value));
        return method.Name switch
        {
            // A null where C# has a double is how the Math translators write NaN (see MathTranslator.Guarded).
            nameof(double.IsNaN) => Mql.Or(Is(double.NaN), Mql.Equal(x, new MqlConstantExpression(null, typeof(double?)))),
            nameof(double.IsPositiveInfinity) => Is(double.PositiveInfinity),
            nameof(double.IsNegativeInfinity) => Is(double.NegativeInfinity),
            nameof(double.IsInfinity) => Mql.Or(Is(double.PositiveInfinity), Is(double.NegativeInfinity)),
            nameof(double.IsFinite) =>
                new MqlNotExpression(
                    Mql.Or(Mql.Or(Is(double.NaN), Mql.Equal(x, new MqlConstantExpression(null, typeof(double?)))),
                        Mql.Or(Is(double.PositiveInfinity), Is(double.NegativeInfinity)))),
            _ => null,
        };
    }
}
