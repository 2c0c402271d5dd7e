using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// Translates calls of one family of .NET methods (string, DateTime, Math, Convert, Regex, EF.Functions...) whose
/// instance and arguments are already translated. Returns <c>null</c> when it does not handle the method.
/// </summary>
internal interface IMqlMethodCallTranslator
{
    MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments);
}

/// <summary>Translates instance or static member reads of one family (<c>DateTime.Year</c>, <c>string.Length</c>, <c>DateTime.UtcNow</c>).</summary>
internal interface IMqlMemberTranslator
{
    MqlExpression? Translate(MqlExpression? instance, MemberInfo member, Type returnType);
}

/// <summary>The registered method and member translators, asked in order.</summary>
internal static class MqlTranslators
{
    public static IReadOnlyList<IMqlMethodCallTranslator> Methods { get; } = Discover<IMqlMethodCallTranslator>();

    public static IReadOnlyList<IMqlMemberTranslator> Members { get; } = Discover<IMqlMemberTranslator>();

    // Every translator in this assembly, each a stateless class with a parameterless constructor.
    private static List<T> Discover<T>() => typeof(MqlTranslators).Assembly.GetTypes()
        .Where(t => typeof(T).IsAssignableFrom(t) && t is { IsClass: true, IsAbstract: false } && t.GetConstructor(Type.EmptyTypes) is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .Select(t => (T)Activator.CreateInstance(t)!)
        .ToList();

    public static MqlExpression? TranslateMethod(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        foreach (var translator in Methods)
        {
            if (translator.Translate(instance, method, arguments) is { } result)
            {
                return result;
            }
        }

        return null;
    }

    public static MqlExpression? TranslateMember(MqlExpression? instance, MemberInfo member, Type returnType)
    {
        foreach (var translator in Members)
        {
            if (translator.Translate(instance, member, returnType) is { } result)
            {
                return result;
            }
        }

        return null;
    }
}
