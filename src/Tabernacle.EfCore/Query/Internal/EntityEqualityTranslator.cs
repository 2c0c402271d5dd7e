using System.Collections;
using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Entity equality, as EF Core defines it for every provider: two entities are equal when their keys are. An entity
/// compared with another entity (of this row, joined, or the same one), with a constant entity or with an entity
/// given as a parameter, and an entity looked up in a list of entities (<c>Contains</c>), become comparisons of the
/// key fields; a parameter's key values are read from the entity when the query runs (a runtime parameter).
/// </summary>
internal sealed class EntityEqualityTranslator(ISubqueryHost? host, Func<Expression, Expression?> translate)
{
    private static readonly MethodInfo KeyValueMethod =
        typeof(EntityEqualityTranslator).GetMethod(nameof(KeyValue), BindingFlags.NonPublic | BindingFlags.Static)!;

    private static readonly MethodInfo KeyListMethod =
        typeof(EntityEqualityTranslator).GetMethod(nameof(KeyList), BindingFlags.NonPublic | BindingFlags.Static)!;

    public string? TranslationErrorDetails { get; private set; }

    /// <summary>The entity type behind a translated operand, or <c>null</c> when it is not an entity.</summary>
    public static IEntityType? EntityTypeOf(Expression? operand) => operand switch
    {
        null => null,
        SubqueryEntityExpression subquery => subquery.EntityType,
        _ => MemberBinder.UnwrapShaper(operand) is { StructuralType: IEntityType entityType } ? entityType : null,
    };

    /// <summary>
    /// <paramref name="left"/> == <paramref name="right"/> (or !=) for translated operands at least one of which is an
    /// entity: the comparison of their keys, or <c>null</c> with <see cref="TranslationErrorDetails"/>.
    /// </summary>
    public MqlExpression? Translate(Expression left, Expression right, bool equal)
    {
        TranslationErrorDetails = null;
        var leftType = EntityTypeOf(left);
        var rightType = EntityTypeOf(right);
        var entityType = (leftType ?? rightType)!;
        if (leftType is not null && rightType is not null && leftType.GetRootType() != rightType.GetRootType())
        {
            return new MqlConstantExpression(!equal, typeof(bool));
        }

        if (entityType.IsOwned())
        {
            return Fail($"Owned entities of '{entityType.DisplayName()}' cannot be compared as whole entities; "
                + "compare their properties instead.");
        }

        if (entityType.FindPrimaryKey()?.Properties is not { } keyProperties)
        {
            return Fail(CoreStrings.EntityEqualityOnKeylessEntityNotSupported(equal ? "==" : "!=", entityType.DisplayName()));
        }

        MqlExpression? result = null;
        foreach (var property in keyProperties)
        {
            if (Key(left, property) is not { } l || Key(right, property) is not { } r)
            {
                return null;
            }

            var comparison = new MqlBinaryExpression(equal ? MqlOperator.Equal : MqlOperator.NotEqual, l, r, typeof(bool));
            result = result is null
                ? comparison
                : new MqlBinaryExpression(equal ? MqlOperator.And : MqlOperator.Or, result, comparison, typeof(bool));
        }

        return result;
    }

    /// <summary>
    /// <c>entities.Contains(e)</c> for a list of entities given as a parameter or a constant: the key of
    /// <paramref name="item"/> in the list of their keys.
    /// </summary>
    public MqlExpression? TranslateContains(Expression values, Expression item)
    {
        TranslationErrorDetails = null;
        var entityType = EntityTypeOf(item)!;
        if (entityType.FindPrimaryKey()?.Properties is not [var property])
        {
            return Fail($"Contains of an entity of '{entityType.DisplayName()}' needs a key of one property "
                + "(compare the key values instead).");
        }

        if (Key(item, property) is not { } key)
        {
            return null;
        }

        var keyType = MakeNullable(property.ClrType);
        switch (values)
        {
            case ConstantExpression { Value: IEnumerable entities }:
            {
                var getter = property.GetGetter();
                var keys = entities.Cast<object?>().Select(e => e is null ? null : getter.GetClrValue(e)).ToList();
                return new MqlInExpression(key, new MqlConstantExpression(keys, typeof(List<object>), property.GetTypeMapping()));
            }

            case QueryParameterExpression parameter when host is not null:
            {
                var extractor = Expression.Lambda(
                    Expression.Call(KeyListMethod.MakeGenericMethod(keyType), QueryCompilationContext.QueryContextParameter,
                        Expression.Constant(parameter.Name), Expression.Constant(property, typeof(IProperty))),
                    QueryCompilationContext.QueryContextParameter);
                var keys = host.RegisterRuntimeParameter($"{parameter.Name}_{property.Name}", extractor);
                return new MqlInExpression(key, new MqlParameterExpression(keys.Name, keys.Type, property.GetTypeMapping()));
            }

            default:
                return Fail($"Contains of an entity of '{entityType.DisplayName()}' needs a list of entities given as a parameter "
                    + "or a constant.");
        }
    }

    private MqlExpression? Key(Expression operand, IProperty property)
    {
        switch (operand)
        {
            case var _ when MemberBinder.UnwrapShaper(operand) is { } shaper:
                return MemberBinder.Bind(shaper, MemberIdentity.Create(property.Name), MakeNullable(property.ClrType)) as MqlExpression
                    ?? Fail($"The key '{property.Name}' of '{shaper.StructuralType.DisplayName()}' could not be read.");
            case SubqueryEntityExpression subquery:
                return subquery.Key(property)
                    ?? Fail($"The key '{property.Name}' of the subquery's '{subquery.EntityType.DisplayName()}' could not be read.");
            case MemberInitExpression init:
                return InitializedKey(init, property);
            case MqlConstantExpression constant:
                return new MqlConstantExpression(
                    constant.Value is null ? null : property.GetGetter().GetClrValue(constant.Value),
                    MakeNullable(property.ClrType),
                    property.GetTypeMapping());
            case MqlParameterExpression parameter when host is not null:
            {
                var keyType = MakeNullable(property.ClrType);
                var extractor = Expression.Lambda(
                    Expression.Call(KeyValueMethod.MakeGenericMethod(keyType), QueryCompilationContext.QueryContextParameter,
                        Expression.Constant(parameter.Name), Expression.Constant(property, typeof(IProperty))),
                    QueryCompilationContext.QueryContextParameter);
                var key = host.RegisterRuntimeParameter($"{parameter.Name}_{property.Name}", extractor);
                return new MqlParameterExpression(key.Name, key.Type, property.GetTypeMapping());
            }

            default:
                return Fail("An entity can be compared with an entity of the query, a constant entity or an entity given as a "
                    + "parameter; compare keys instead.");
        }
    }

    /// <summary>
    /// A key of an entity built in the query (<c>new Customer { CustomerID = o.CustomerID }</c>): the value assigned to
    /// it, or the type's default when the initializer leaves it out.
    /// </summary>
    private MqlExpression? InitializedKey(MemberInitExpression init, IProperty property)
    {
        var binding = init.Bindings.OfType<MemberAssignment>().FirstOrDefault(b => b.Member.Name == property.Name);
        var keyType = MakeNullable(property.ClrType);
        if (binding is null)
        {
            var unset = property.ClrType.IsValueType ? Activator.CreateInstance(property.ClrType) : null;
            return new MqlConstantExpression(unset, keyType, property.GetTypeMapping());
        }

        return translate(binding.Expression) switch
        {
            MqlConstantExpression { TypeMapping: null } constant => constant.WithMapping(property.GetTypeMapping()),
            MqlParameterExpression { TypeMapping: null } parameter => parameter.WithMapping(property.GetTypeMapping()),
            MqlExpression value => value,
            _ => Fail($"The value given to '{property.Name}' in '{init.Type.Name}' could not be translated to MQL."),
        };
    }

    private static Type MakeNullable(Type type) =>
        type.IsValueType && Nullable.GetUnderlyingType(type) is null ? typeof(Nullable<>).MakeGenericType(type) : type;

    private MqlExpression? Fail(string details)
    {
        TranslationErrorDetails ??= details;
        return null;
    }

    private static T? KeyValue<T>(QueryContext context, string entityParameter, IProperty property) =>
        context.Parameters[entityParameter] is { } entity ? (T?)property.GetGetter().GetClrValue(entity) : default;

    private static List<T?> KeyList<T>(QueryContext context, string entitiesParameter, IProperty property) =>
        context.Parameters[entitiesParameter] is IEnumerable entities
            ? entities.Cast<object?>().Select(e => e is null ? default : (T?)property.GetGetter().GetClrValue(e)).ToList()
            : [];
}
