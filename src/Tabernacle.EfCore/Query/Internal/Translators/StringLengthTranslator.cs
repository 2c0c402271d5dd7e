using System.Reflection;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal.Translators;

/// <summary><c>string.Length</c> → <c>$strLenCP</c> (code points, as .NET counts UTF-16 code units only for BMP text).</summary>
internal sealed class StringLengthTranslator : IMqlMemberTranslator
{
    public MqlExpression? Translate(MqlExpression? instance, MemberInfo member, Type returnType) =>
        instance is not null && member.DeclaringType == typeof(string) && member.Name == nameof(string.Length)
            ? new MqlFunctionExpression("$strLenCP", [instance], typeof(int), argumentsAsArray: false)
            : null;
}
