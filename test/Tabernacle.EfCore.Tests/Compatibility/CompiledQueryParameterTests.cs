using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Compatibility;

/// <summary>An element of an array parameter of a compiled query (<c>names[0]</c>) is a value bound per execution.</summary>
public sealed class CompiledQueryParameterTests : ProviderTestBase<ShopContext>
{
    private static readonly Func<ShopContext, string[], IAsyncEnumerable<Product>> ByFirstName =
        EF.CompileAsyncQuery((ShopContext db, string[] names) => db.Products.Where(p => p.Name == names[0]));

    private static readonly Func<ShopContext, List<string>, int> CountBySecond =
        EF.CompileQuery((ShopContext db, List<string> names) => db.Products.Count(p => p.Name == names.ElementAt(1)));

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Products.AddRange(new Product { Name = "Saw" }, new Product { Name = "Novel" });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task Each_execution_compares_with_the_element_of_its_own_array()
    {
        await using var db = CreateContext();
        Assert.Equal("Saw", Assert.Single(await ByFirstName(db, ["Saw", "x"]).ToListAsync()).Name);
        Assert.Equal("Novel", Assert.Single(await ByFirstName(db, ["Novel"]).ToListAsync()).Name);
        Assert.Equal(1, CountBySecond(db, ["x", "Novel"]));
        Assert.Equal(0, CountBySecond(db, ["Novel", "x"]));
        Assert.Contains(Logs.Entries, e => e.Message.Contains("\"Name\" : { \"$eq\" : ? }", StringComparison.Ordinal));
    }
}
