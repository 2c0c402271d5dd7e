using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.Extensions.DependencyInjection;
using Tabernacle.EfCore.Extensions;
using Tabernacle.EfCore.Query.Internal;
using Tabernacle.EfCore.Query.Internal.Expressions;
using Tabernacle.EfCore.Query.Internal.Translators;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Query.Translators;

/// <summary>
/// The MQL translators of .NET methods and members are services with explicit lists (as EF Core's relational
/// translator providers), and a plugin registered in the context's services adds its own, asked first.
/// </summary>
public sealed class TranslatorRegistrationTests : ProviderTestBase<ShopContext>
{
    public static class Custom
    {
        /// <summary>A user function the plugin below translates to <c>$toUpper</c>; it never runs on the client.</summary>
        public static string Shout(string value) => throw new InvalidOperationException("Translated to MQL only.");
    }

    private sealed class ShoutTranslator : IMqlMethodCallTranslator
    {
        public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments) =>
            method.DeclaringType == typeof(Custom) && method.Name == nameof(Custom.Shout)
                ? Mql.Unary("$toUpper", arguments[0], typeof(string)) : null;
    }

    private sealed class ShoutPlugin : IMqlMethodCallTranslatorPlugin
    {
        public IEnumerable<IMqlMethodCallTranslator> Translators { get; } = [new ShoutTranslator()];
    }

    /// <summary>Claims string.ToUpper for itself and refuses it with a reason, before the built-in string translator.</summary>
    private sealed class RefusingPlugin : IMqlMethodCallTranslatorPlugin
    {
        public IEnumerable<IMqlMethodCallTranslator> Translators { get; } = [new RefusingTranslator()];

        private sealed class RefusingTranslator : IMqlMethodCallTranslator
        {
            public MqlExpression? Translate(MqlExpression? instance, MethodInfo method, IReadOnlyList<MqlExpression> arguments) =>
                method.DeclaringType == typeof(string) && method.Name == nameof(string.ToUpper)
                    ? Mql.Untranslatable("ToUpper is refused by the test plugin.", typeof(string)) : null;
        }
    }

    // A context whose internal services include the plugin (as an application registers one).
    private ShopContext CreateContextWith<TPlugin>()
        where TPlugin : class, IMqlMethodCallTranslatorPlugin
    {
        var services = new ServiceCollection()
            .AddEntityFrameworkTabernacle()
            .AddSingleton<IMqlMethodCallTranslatorPlugin, TPlugin>()
            .BuildServiceProvider();
        return new ShopContext(new DbContextOptionsBuilder<ShopContext>()
            .UseTabernacle(Backend.ConnectionString, DatabaseName)
            .UseInternalServiceProvider(services)
            .Options);
    }

    [Fact]
    public void A_plugin_registered_in_the_services_translates_its_method()
    {
        using var db = CreateContextWith<ShoutPlugin>();

        var mql = db.Products.Where(p => Custom.Shout(p.Name) == "SAW").ToQueryString();

        Assert.Contains("\"$toUpper\" : \"$Name\"", mql, StringComparison.Ordinal);
    }

    [Fact]
    public void A_translator_that_refuses_a_call_ends_the_search_and_its_reason_reaches_the_application()
    {
        using var db = CreateContextWith<RefusingPlugin>();
        using var plain = CreateContext();

        // The built-in translator handles ToUpper; the plugin, asked first, refuses it, so the built-in one is not asked.
        Assert.Contains("$toUpper", plain.Products.Where(p => p.Name.ToUpper() == "SAW").ToQueryString(), StringComparison.Ordinal);
        var error = Assert.Throws<InvalidOperationException>(() => db.Products.Where(p => p.Name.ToUpper() == "SAW").ToQueryString());
        Assert.Contains("ToUpper is refused by the test plugin.", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_part_without_translation_visits_to_EF_Cores_sentinel_and_Translate_returns_null_with_the_reason()
    {
        var visitor = new MqlTranslatingExpressionVisitor(new MqlMethodCallTranslatorProvider([]), new MqlMemberTranslatorProvider([]));
        var unbound = System.Linq.Expressions.Expression.Parameter(typeof(string), "s");
        var call = System.Linq.Expressions.Expression.Call(typeof(Custom).GetMethod(nameof(Custom.Shout))!,
            System.Linq.Expressions.Expression.Constant("x"));

        Assert.Same(QueryCompilationContext.NotTranslatedExpression, visitor.Visit(unbound));
        Assert.Same(QueryCompilationContext.NotTranslatedExpression, visitor.Visit(call));
        Assert.Null(visitor.Translate(call));
        Assert.Contains("Custom.Shout", visitor.TranslationErrorDetails, StringComparison.Ordinal);
        Assert.IsType<MqlConstantExpression>(visitor.Translate(System.Linq.Expressions.Expression.Constant("x")));
    }

    [Fact]
    public void Without_the_plugin_the_method_fails_translation()
    {
        using var db = CreateContext();

        var error = Assert.Throws<InvalidOperationException>(() => db.Products.Where(p => Custom.Shout(p.Name) == "SAW").ToQueryString());

        Assert.Contains("could not be translated", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_translator_of_the_assembly_is_in_a_provider_list()
    {
        // The lists are explicit; a translator class written but not listed would never be asked.
        var assembly = typeof(MqlMethodCallTranslatorProvider).Assembly;
        var methodTranslators = Listed(new MqlMethodCallTranslatorProvider([]));
        var memberTranslators = Listed(new MqlMemberTranslatorProvider([]));

        foreach (var type in assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false }))
        {
            if (typeof(IMqlMethodCallTranslator).IsAssignableFrom(type))
            {
                Assert.Contains(type, methodTranslators);
            }

            if (typeof(IMqlMemberTranslator).IsAssignableFrom(type))
            {
                Assert.Contains(type, memberTranslators);
            }
        }

        Assert.NotEmpty(methodTranslators);
        Assert.NotEmpty(memberTranslators);
    }

    private static List<Type> Listed(object provider) =>
        ((System.Collections.IEnumerable)provider.GetType().GetField("_translators",
            BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(provider)!)
            .Cast<object>().Select(t => t.GetType()).ToList();
}
