using Microsoft.EntityFrameworkCore.Query;

namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>
/// An aggregation operator whose arguments are named (<c>{$dateAdd: {startDate: ..., unit: ..., amount: ...}}</c>,
/// <c>{$trim: {input: ..., chars: ...}}</c>, <c>{$replaceAll: ...}</c>, <c>{$map: ...}</c>). Many of MongoDB's string,
/// date and conversion operators only exist in this form, so function translators need it next to
/// <see cref="MqlFunctionExpression"/>.
/// </summary>
internal sealed class MqlNamedArgumentsExpression(string name, IReadOnlyList<KeyValuePair<string, MqlExpression>> arguments, Type type)
    : MqlExpression(type), IPrintableExpression
{
    public string Name { get; } = name;

    public IReadOnlyList<KeyValuePair<string, MqlExpression>> Arguments { get; } = arguments;

    public void Print(ExpressionPrinter expressionPrinter)
    {
        expressionPrinter.Append(Name + "(");
        for (var i = 0; i < Arguments.Count; i++)
        {
            if (i > 0)
            {
                expressionPrinter.Append(", ");
            }

            expressionPrinter.Append(Arguments[i].Key + ": ");
            expressionPrinter.Visit(Arguments[i].Value);
        }

        expressionPrinter.Append(")");
    }
}
