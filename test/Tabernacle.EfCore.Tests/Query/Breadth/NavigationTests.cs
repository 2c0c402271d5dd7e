using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query.Breadth;

public sealed class NavigationTests : ProviderTestBase<LibraryContext>
{
    private readonly List<Author> _authors =
    [
        new() { Id = 1, Name = "Ann", Country = "NO" },
        new() { Id = 2, Name = "Ben", Country = "DE" },
        new() { Id = 3, Name = "Cid", Country = "NO" },
    ];

    private readonly List<Book> _books =
    [
        new() { Id = 10, Title = "Alpha", Price = 12, AuthorId = 1 },
        new() { Id = 11, Title = "Beta", Price = 25, AuthorId = 1 },
        new() { Id = 12, Title = "Gamma", Price = 8, AuthorId = 2 },
        new() { Id = 13, Title = "Delta", Price = 30, AuthorId = 1 },
        new() { Id = 14, Title = "Orphan", Price = 5, AuthorId = null },
    ];

    protected override async Task SeedAsync()
    {
        await using var db = CreateContext();
        db.Authors.AddRange(_authors.Select(a => new Author { Id = a.Id, Name = a.Name, Country = a.Country }));
        db.Books.AddRange(_books.Select(b => new Book { Id = b.Id, Title = b.Title, Price = b.Price, AuthorId = b.AuthorId }));
        db.Profiles.Add(new AuthorProfile { Id = 100, AuthorId = 2, Bio = "Ben writes." });
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task A_reference_navigation_in_a_predicate_and_a_projection()
    {
        await using var db = CreateContext();
        var norwegian = await db.Books.Where(b => b.Author!.Country == "NO").OrderBy(b => b.Title).Select(b => b.Title).ToListAsync();
        Assert.Equal(["Alpha", "Beta", "Delta"], norwegian);
        var pairs =
            await db.Books.OrderBy(b => b.Id).Select(b => new { b.Title, Author = b.Author == null ? null : b.Author.Name }).ToListAsync();
        Assert.Equal(["Ann", "Ann", "Ben", "Ann", null], pairs.Select(p => p.Author));
    }

    [Fact]
    public async Task Include_of_a_reference_fixes_up_both_sides_tracked_and_untracked()
    {
        await using var db = CreateContext();
        var tracked = await db.Books.Include(b => b.Author).OrderBy(b => b.Id).ToListAsync();
        Assert.Equal("Ann", tracked[0].Author!.Name);
        Assert.Same(tracked[0].Author, tracked[1].Author);
        Assert.Null(tracked[4].Author);
        Assert.Equal(3, tracked[0].Author!.Books.Count);

        await using var other = CreateContext();
        var untracked = await other.Books.AsNoTracking().Include(b => b.Author).Where(b => b.Price > 10).OrderBy(b => b.Id).ToListAsync();
        Assert.Equal(["Ann", "Ann", "Ann"], untracked.Select(b => b.Author!.Name));
        Assert.Empty(other.ChangeTracker.Entries());
    }

    [Fact]
    public async Task Include_of_a_collection_filtered_include_and_ThenInclude()
    {
        await using var db = CreateContext();
        var authors = await db.Authors.Include(a => a.Books).OrderBy(a => a.Id).ToListAsync();
        Assert.Equal([3, 1, 0], authors.Select(a => a.Books.Count));
        Assert.All(authors.SelectMany(a => a.Books), b => Assert.NotNull(b.Author));

        await using var filtered = CreateContext();
        var cheapFirst =
            await filtered.Authors.AsNoTracking().Include(a =>
                a.Books.Where(b => b.Price > 10).OrderByDescending(b => b.Price).Take(2)).SingleAsync(a => a.Id == 1);
        Assert.Equal(["Delta", "Beta"], cheapFirst.Books.Select(b => b.Title));

        await using var nested = CreateContext();
        var books = await nested.Books.Include(b => b.Author).ThenInclude(a => a!.Profile).Where(b => b.AuthorId == 2).ToListAsync();
        Assert.Equal("Ben writes.", Assert.Single(books).Author!.Profile!.Bio);
    }

    [Fact]
    public async Task Collection_navigations_in_predicates_and_projections()
    {
        await using var db = CreateContext();
        Assert.Equal(["Ann"], await db.Authors.Where(a => a.Books.Any(b => b.Price > 20)).Select(a => a.Name).ToListAsync());
        Assert.Equal(["Ann", "Ben"],
            await db.Authors.Where(a => a.Books.Count() >= 1).OrderBy(a => a.Name).Select(a => a.Name).ToListAsync());
        Assert.Equal(["Cid"], await db.Authors.Where(a => !a.Books.Any()).Select(a => a.Name).ToListAsync());
        var counts =
            await db.Authors.OrderBy(a => a.Id).Select(a =>
                new { a.Name, Count = a.Books.Count(), Total = a.Books.Sum(b => b.Price) }).ToListAsync();
        Assert.Equal([3, 1, 0], counts.Select(c => c.Count));
        Assert.Equal([67m, 8m, 0m], counts.Select(c => c.Total));
    }

    [Fact]
    public async Task Join_and_GroupJoin()
    {
        await using var db = CreateContext();
        var joined =
            await db.Books.Join(db.Authors, b => b.AuthorId, a => (int?)a.Id, (b, a) => new { b.Title, a.Name }).OrderBy(x =>
                x.Title).ToListAsync();
        var expected =
            _books.Join(_authors, b => b.AuthorId, a => (int?)a.Id, (b, a) => new { b.Title, a.Name }).OrderBy(x =>
                x.Title, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, joined);

        var grouped =
            await db.Authors.GroupJoin(db.Books, a => (int?)a.Id, b => b.AuthorId, (a, books) =>
                new { a.Name, Titles = books.Select(b => b.Title).ToList() }).ToListAsync();
        Assert.Equal(3, grouped.Single(g => g.Name == "Ann").Titles.Count);
        Assert.Empty(grouped.Single(g => g.Name == "Cid").Titles);
    }

    [Fact]
    public async Task A_one_to_one_navigation()
    {
        await using var db = CreateContext();
        var withProfile = await db.Authors.Where(a => a.Profile != null).Select(a => new { a.Name, a.Profile!.Bio }).ToListAsync();
        Assert.Equal("Ben", Assert.Single(withProfile).Name);
        var profile = await db.Profiles.Include(p => p.Author).SingleAsync();
        Assert.Equal("Ben", profile.Author!.Name);
    }
}
