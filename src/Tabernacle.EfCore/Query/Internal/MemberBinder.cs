using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Tabernacle.EfCore.Query.Internal.Expressions;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Resolves a member access on an entity (<c>x.Name</c>, <c>x.Address.City</c>, <c>EF.Property(x, "Name")</c>) to
/// where it lives in the document: a stored property's field, or an owned navigation's embedded document.
/// </summary>
internal static class MemberBinder
{
    /// <summary>The entity shaper under casts and includes, or <c>null</c>.</summary>
    public static StructuralTypeShaperExpression? UnwrapShaper(Expression expression)
    {
        while (true)
        {
            switch (expression)
            {
                case UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.TypeAs } unary:
                    expression = unary.Operand;
                    continue;
                case IncludeExpression include:
                    expression = include.EntityExpression;
                    continue;
                case StructuralTypeShaperExpression { ValueBufferExpression: EntityDocumentExpression } shaper:
                    // An entity, or a complex property of one (whose values are part of the containing entity's value buffer).
                    return shaper;
                default:
                    return null;
            }
        }
    }

    /// <summary>The property or navigation <paramref name="member"/> names on the entity behind <paramref name="shaper"/>.</summary>
    public static IPropertyBase? FindMember(StructuralTypeShaperExpression shaper, MemberIdentity member)
    {
        if (shaper.StructuralType is IComplexType complexType)
        {
            return member.MemberInfo is { } complexMember
                ? complexType.FindProperty(complexMember) ?? (IPropertyBase?)complexType.FindComplexProperty(complexMember)
                : complexType.FindProperty(member.Name!) ?? (IPropertyBase?)complexType.FindComplexProperty(member.Name!);
        }

        if (shaper.StructuralType is not IEntityType entityType)
        {
            return null;
        }

        // A cast to a derived type (OfType/as) can reach members declared below the shaper's type.
        foreach (var type in entityType.GetDerivedTypesInclusive())
        {
            IPropertyBase? found = member.MemberInfo is { } info
                ? type.FindProperty(info) ?? (IPropertyBase?)type.FindNavigation(info) ?? type.FindComplexProperty(info)
                : type.FindProperty(member.Name!) ?? (IPropertyBase?)type.FindNavigation(member.Name!)
                    ?? type.FindComplexProperty(member.Name!);
            if (found is not null)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>
    /// Binds a member of an entity (or of a complex property): a field for a stored property, an embedded entity shaper
    /// for an owned reference, an embedded collection for an owned collection, a complex-type shaper over the same
    /// document for a complex property, the array of a complex collection; <c>null</c> when it is none of these.
    /// </summary>
    public static Expression? Bind(Expression source, MemberIdentity member, Type resultType)
    {
        if (UnwrapShaper(source) is not { } shaper)
        {
            return null;
        }

        var document = (EntityDocumentExpression)shaper.ValueBufferExpression;
        switch (FindMember(shaper, member))
        {
            case IProperty property:
                return new MqlFieldExpression(document.Path + RelativePath(property), resultType, property, property.GetTypeMapping(),
                    document.Root);
            case INavigation { ForeignKey.IsOwnership: true, IsOnDependent: false } navigation when !navigation.IsCollection:
                return new StructuralTypeShaperExpression(navigation.TargetEntityType, document.Embedded(navigation), nullable: true);
            case INavigation { ForeignKey.IsOwnership: true, IsOnDependent: false } navigation:
                var item = new EntityDocumentExpression(navigation.TargetEntityType, "", document, navigation);
                return new EmbeddedCollectionExpression(document, navigation,
                    new StructuralTypeShaperExpression(navigation.TargetEntityType, item, nullable: true), resultType);
            case IComplexProperty { IsCollection: false } complexProperty:
                // EF Core flattens a complex property's values into its entity's value buffer, so the complex object is
                // materialized from the same document (and buffer) as the entity that contains it.
                return new StructuralTypeShaperExpression(complexProperty.ComplexType, document, complexProperty.IsNullable);
            case IComplexProperty complexCollection:
                return new ComplexCollectionExpression(document, complexCollection, resultType);
            default:
                return null;
        }
    }

    /// <summary>The path of a property within the document of its entity (through complex properties, into a composite
    /// <c>_id</c>).</summary>
    public static string RelativePath(IReadOnlyProperty property) => FieldPaths.InEntity(property);

    public static bool IsEfPropertyCall(MethodCallExpression call, out Expression source, out string name)
    {
        if (call.Method.IsGenericMethod && call.Method.GetGenericMethodDefinition() == EfPropertyMethod
            && call.Arguments[1] is ConstantExpression { Value: string propertyName })
        {
            source = call.Arguments[0];
            name = propertyName;
            return true;
        }

        source = null!;
        name = null!;
        return false;
    }

    private static readonly MethodInfo EfPropertyMethod = typeof(EF).GetMethod(nameof(EF.Property))!;
}
