using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Metadata;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Replaces EF Core's value-buffer reads (<c>ValueBufferTryReadValue</c>) of typed properties in a wire-path shaper with
/// reads of the bank (<see cref="WireBank"/>), as EF Core's Cosmos provider replaces them with reads of its JSON: the
/// materializer, the identity-map key and the shadow-value snapshot all read the value with its own type.
/// </summary>
internal sealed class WireTypedReadRewriter : ExpressionVisitor
{
    private static readonly MethodInfo ReadMethod = typeof(WireBank).GetMethod(nameof(WireBank.Read))!;
    private static readonly MethodInfo ReadNullableMethod = typeof(WireBank).GetMethod(nameof(WireBank.ReadNullable))!;
    private static readonly MethodInfo ReadBoxedMethod = typeof(WireBank).GetMethod(nameof(WireBank.ReadBoxed))!;
    private static readonly MethodInfo SlotMethod = typeof(WireBank).GetMethod(nameof(WireBank.Slot))!;

    /// <summary>How many reads were replaced (what a test checks to see that the typed path is used).</summary>
    public int Replaced { get; private set; }

    protected override Expression VisitMethodCall(MethodCallExpression node) =>
        TypedReaderOf(node) is { } reader ? Typed(node, reader) : base.VisitMethodCall(node);

    protected override Expression VisitBinary(BinaryExpression node)
    {
        // EF Core tests a key for null by reading it as object: the slot itself answers without boxing the value.
        if (node.NodeType is ExpressionType.Equal or ExpressionType.NotEqual
            && node.Right is ConstantExpression { Value: null }
            && node.Left is MethodCallExpression { Type: var type } call && type == typeof(object)
            && TypedReaderOf(call) is not null)
        {
            Replaced++;
            return Expression.MakeBinary(
                node.NodeType, Expression.Call(SlotMethod, Visit(call.Arguments[0]), call.Arguments[1]), node.Right, node.IsLiftedToNull,
                node.Method);
        }

        return base.VisitBinary(node);
    }

    private static WireTypedReader? TypedReaderOf(MethodCallExpression node) =>
        node.Method.IsGenericMethod
        && node.Method.GetGenericMethodDefinition() == Microsoft.EntityFrameworkCore.Infrastructure.ExpressionExtensions
            .ValueBufferTryReadValueMethod
        && node.Arguments[2] is ConstantExpression { Value: IPropertyBase property }
            ? WireBankLayout.Find(property)
            : null;

    private Expression Typed(MethodCallExpression node, WireTypedReader reader)
    {
        Replaced++;
        var type = node.Method.GetGenericArguments()[0];
        var buffer = Visit(node.Arguments[0]);
        var offset = Expression.Constant(reader.Offset);
        if (type == reader.StoreType)
        {
            return Expression.Call(ReadMethod.MakeGenericMethod(type), buffer, node.Arguments[1], offset);
        }

        if (Nullable.GetUnderlyingType(type) == reader.StoreType)
        {
            return Expression.Call(ReadNullableMethod.MakeGenericMethod(reader.StoreType), buffer, node.Arguments[1], offset);
        }

        var boxed = Expression.Call(ReadBoxedMethod.MakeGenericMethod(reader.StoreType), buffer, node.Arguments[1], offset);
        return type == typeof(object) ? boxed : Expression.Convert(boxed, type);
    }
}
