using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary>
/// The method-call translators, listed here in the order they are asked (each handles one family of .NET methods, so
/// the order matters only where families overlap), after those of any registered plugin.
/// </summary>
internal sealed class MqlMethodCallTranslatorProvider(IEnumerable<IMqlMethodCallTranslatorPlugin> plugins)
    : IMqlMethodCallTranslatorProvider
{
    private readonly IMqlMethodCallTranslator[] _translators =
    [
        .. plugins.SelectMany(p => p.Translators),
        new ConvertTranslator(),
        new DateTimeMethodTranslator(),
        new EnumHasFlagTranslator(),
        new FloatingPointTranslator(),
        new MathTranslator(),
        new PatternMatchTranslator(),
        new StringComparisonTranslator(),
        new StringFormatTranslator(),
        new StringMethodTranslator(),
        new ToStringTranslator(),
    ];

    public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments)
    {
        foreach (var translator in _translators)
        {
            if (translator.Translate(instance, method, arguments) is { } result)
            {
                return result;
            }
        }

        return null;
    }
}
