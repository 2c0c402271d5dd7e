using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query.Functions;

/// <summary>
/// Differential tests of translated functions: the same predicate runs as MQL on the server and as LINQ to Objects
/// over the entities read back from it (so both see the stored values, e.g. millisecond dates).
/// </summary>
public abstract class FunctionsTestBase : ProviderTestBase<FunctionsContext>
{
    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Items.AddRange(FunctionsData.Create());
        await db.SaveChangesAsync();
    }

    protected async Task<List<Item>> AllAsync()
    {
        await using var db = CreateContext();
        return await db.Items.AsNoTracking().ToListAsync();
    }

    /// <summary>
    /// Runs <paramref name="predicate"/> both ways and compares the ids. The expected set must be neither empty nor
    /// everything, so a translation that always answers true or false cannot pass.
    /// </summary>
    protected async Task AssertSameAsync(Expression<Func<Item, bool>> predicate)
    {
        var all = await AllAsync();
        var expected = all.Where(predicate.Compile()).Select(i => i.Id).Order().ToList();
        Assert.True(expected.Count > 0 && expected.Count < all.Count,
            $"The case must select some items but not all (selects {expected.Count} of {all.Count}).");

        await using var db = CreateContext();
        var actual = (await db.Items.Where(predicate).Select(i => i.Id).ToListAsync()).Order().ToList();
        Assert.Equal(expected, actual);
    }

    /// <summary>The MQL the query sends, as <c>ToQueryString()</c> prints it.</summary>
    protected string Mql(Expression<Func<Item, bool>> predicate)
    {
        using var db = CreateContext();
        return db.Items.Where(predicate).ToQueryString();
    }
}
