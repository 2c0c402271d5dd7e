using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// Translates calls of one family of .NET methods (string, DateTime, Math, Convert, Regex, EF.Functions...) whose
/// instance and arguments are already translated (a <c>params</c> array written inline arrives as one
/// <see cref="MqlArrayExpression"/>). Returns <c>null</c> when it does not handle the method, and
/// <see cref="Mql.Untranslatable"/> with the reason when the method is its family's but this call has no MQL form (no
/// later translator is asked then).
/// </summary>
internal interface IMqlMethodCallTranslator
{
    MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments);
}

/// <summary>Translates instance or static member reads of one family (<c>DateTime.Year</c>, <c>string.Length</c>,
/// <c>DateTime.UtcNow</c>).</summary>
internal interface IMqlMemberTranslator
{
    MqlExpression? Translate(MqlExpression? instance, MemberInfo member, Type returnType);
}

/// <summary>
/// Adds method-call translators to the provider's (EF Core's <c>IMethodCallTranslatorPlugin</c> for MQL). Register one
/// in the context's internal services; its translators are asked before the built-in ones.
/// </summary>
internal interface IMqlMethodCallTranslatorPlugin
{
    IEnumerable<IMqlMethodCallTranslator> Translators { get; }
}

/// <summary>Adds member translators to the provider's, asked before the built-in ones.</summary>
internal interface IMqlMemberTranslatorPlugin
{
    IEnumerable<IMqlMemberTranslator> Translators { get; }
}

/// <summary>Translates a .NET method call whose instance and arguments are translated; <c>null</c> when no translator can.</summary>
internal interface IMqlMethodCallTranslatorProvider
{
    MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments);
}

/// <summary>Translates a .NET member read; <c>null</c> when no translator can.</summary>
internal interface IMqlMemberTranslatorProvider
{
    MqlExpression? Translate(MqlExpression? instance, MemberInfo member, Type returnType);
}
