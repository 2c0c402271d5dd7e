using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Query.Internal;
using Microsoft.EntityFrameworkCore.Storage;
using static System.Linq.Expressions.Expression;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// EF Core's materializer, plus complex collections: EF Core leaves them unset (each provider stores them its own way),
/// so this assigns each one from the raw array <see cref="DocumentValueBuffers"/> put in the value buffer. It is done
/// while the object is created, before the change tracker snapshots it, so tracked elements have original values.
/// </summary>
internal sealed class TabernacleStructuralTypeMaterializerSource(StructuralTypeMaterializerSourceDependencies dependencies)
    : StructuralTypeMaterializerSource(dependencies)
{
    private static readonly MethodInfo ComplexCollectionMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.ComplexCollection))!;

    protected override void AddInitializeExpression(
        IPropertyBase property,
        ParameterBindingInfo bindingInfo,
        Expression instanceVariable,
        MethodCallExpression getValueBufferExpression,
        List<Expression> blockExpressions,
        bool nullable)
    {
        if (property is not IComplexProperty { IsCollection: true } collection)
        {
            base.AddInitializeExpression(property, bindingInfo, instanceVariable, getValueBufferExpression, blockExpressions, nullable);
            return;
        }

        // Each element is materialized like a complex object of its own, from a value buffer of the element's document.
        var elementType = collection.ComplexType;
        var elementContext = Parameter(typeof(MaterializationContext), "elementContext");
        var element = CreateMaterializeExpression(
            new StructuralTypeMaterializerSourceParameters(elementType, "element", elementType.ClrType, false, null), elementContext);
        var value = Call(
            ComplexCollectionMethod.MakeGenericMethod(elementType.ClrType, collection.ClrType),
            getValueBufferExpression,
            Constant(DocumentValueBuffers.CollectionSlot(collection)),
            bindingInfo.MaterializationContextExpression,
            Constant(elementType),
            Constant(collection.IsNullable),
            Lambda<Func<MaterializationContext, object>>(Convert(element, typeof(object)), elementContext));
        var member = property.GetMemberInfo(forMaterialization: true, forSet: true);
        blockExpressions.Add(Assign(MakeMemberAccess(instanceVariable, member), value));
    }
}
