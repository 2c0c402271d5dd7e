using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>The member translators, in the order they are asked, after those of any registered plugin.</summary>
internal sealed class MqlMemberTranslatorProvider(IEnumerable<IMqlMemberTranslatorPlugin> plugins) : IMqlMemberTranslatorProvider
{
    private readonly IMqlMemberTranslator[] _translators =
    [
        .. plugins.SelectMany(p => p.Translators),
        new DateTimeMemberTranslator(),
        new StringLengthTranslator(),
    ];

    public MqlExpression? Translate(MqlExpression? instance, MemberInfo member, Type returnType)
    {
        foreach (var translator in _translators)
        {
            if (translator.Translate(instance, member, returnType) is { } result)
            {
                return result;
            }
        }

        return null;
    }
}
