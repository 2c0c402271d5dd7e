using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Query.Breadth;

/// <summary>
/// DefaultIfEmpty on its own (one default row when the query has none), SelectMany over a subquery's
/// DefaultIfEmpty() (an outer apply), a correlated subquery projecting the outer row's values, RightJoin and Last
/// after Skip/Take: each checked against LINQ to Objects over the same data, and the MQL of the new shapes pinned.
/// </summary>
public sealed class OuterApplyAndDefaultIfEmptyTests : ProviderTestBase<LibraryContext>
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
        await db.SaveChangesAsync();
    }

    [Fact]
    public async Task DefaultIfEmpty_of_an_empty_query_is_one_default_row_and_of_a_non_empty_one_its_rows()
    {
        await using var db = CreateContext();
        Assert.Null(Assert.Single(await db.Authors.Where(a => a.Country == "SE").DefaultIfEmpty().ToListAsync()));
        Assert.Equal(
            ["Ann", "Cid"],
            (await db.Authors.Where(a => a.Country == "NO").DefaultIfEmpty().ToListAsync()).Select(a => a!.Name).Order());

        // A value is its type's default, any other shape (here a constant) the shape's default.
        Assert.Equal([0], await db.Authors.Where(a => a.Country == "SE").Select(a => a.Id).DefaultIfEmpty().ToListAsync());
        Assert.Equal([null], await db.Authors.Where(a => a.Country == "SE").Select(a => "x").DefaultIfEmpty().ToListAsync());
        Assert.Equal(["x"], await db.Authors.Where(a => a.Country == "SE").DefaultIfEmpty().Select(a => "x").ToListAsync());
        Assert.Equal(
            ["Alpha", "Beta", "Delta", "Gamma", "Orphan"],
            (await db.Books.Select(b => new { b.Id, b.Title }).DefaultIfEmpty().Select(b => b!.Title).ToListAsync()).Order());
    }

    [Fact]
    public async Task Operators_after_DefaultIfEmpty_see_the_default_row()
    {
        await using var db = CreateContext();
        Assert.Empty(
            await db.Authors.Where(a => a.Country == "SE").DefaultIfEmpty().Where(a => a != null).Select(a => a!.Name).ToListAsync());
        Assert.Equal(
            ["Ann", "Cid"],
            await db.Authors.Where(a => a.Country == "NO").DefaultIfEmpty().Where(a => a != null).OrderBy(a => a!.Name).Select(a =>
                a!.Name).ToListAsync());
        Assert.True(await db.Authors.Where(a => a.Country == "SE").Select(a => a.Id).DefaultIfEmpty().AnyAsync());
        Assert.Equal(1, await db.Authors.Where(a => a.Country == "SE").DefaultIfEmpty().CountAsync());
        var withBooks =
            await db.Authors.Where(a => a.Country == "NO").DefaultIfEmpty().OrderBy(a => a!.Name).Select(a =>
                new { a!.Name, a.Books }).ToListAsync();
        Assert.Equal(["Ann:3", "Cid:0"], withBooks.Select(a => a.Name + ":" + a.Books.Count));
        Assert.Equal(2.0, await db.Authors.Where(a => a.Country != "SE").Select(a => a.Id).DefaultIfEmpty().AverageAsync());
        Assert.Equal(3, await db.Authors.Select(a => a.Id).DefaultIfEmpty().MaxAsync());
    }

    [Fact]
    public async Task SelectMany_over_a_subquery_with_DefaultIfEmpty_keeps_outer_rows_without_matches()
    {
        await using var db = CreateContext();
        var pairs = await (
            from a in db.Authors
            from b in db.Books.Where(b => b.AuthorId == a.Id && b.Price > 10).DefaultIfEmpty()
            select new { a.Name, Title = b == null ? null : b.Title }).ToListAsync();
        var expected =
            from a in _authors
            from b in _books.Where(b => b.AuthorId == a.Id && b.Price > 10).DefaultIfEmpty()
            select new { a.Name, Title = b == null ? null : b.Title };
        Assert.Equal(expected.OrderBy(p => p.Name).ThenBy(p => p.Title), pairs.OrderBy(p => p.Name).ThenBy(p => p.Title));

        // An ordered, limited subquery that is not an equality join (an outer apply), returning entities.
        var cheapest = await (
            from a in db.Authors
            from b in db.Books.Where(b => b.AuthorId != a.Id).OrderBy(b => b.Price).Take(1).DefaultIfEmpty()
            select new { a.Name, Book = b }).ToListAsync();
        Assert.Equal(["Ann:Orphan", "Ben:Orphan", "Cid:Orphan"], cheapest.Select(p => p.Name + ":" + p.Book!.Title).Order());
    }

    [Fact]
    public async Task SelectMany_over_a_navigation_with_DefaultIfEmpty_yields_the_default_value()
    {
        await using var db = CreateContext();
        var prices =
            await db.Authors.OrderBy(a => a.Id).SelectMany(a =>
                a.Books.Where(b => b.Price > 20).Select(b => b.Id).DefaultIfEmpty()).ToListAsync();
        Assert.Equal([0, 0, 11, 13], prices.Order());

        var books = await db.Authors.SelectMany(a => a.Books.DefaultIfEmpty(), (a, b) => new { a.Name, b }).ToListAsync();
        Assert.Null(Assert.Single(books, p => p.Name == "Cid").b);
        Assert.Equal(4, books.Count(p => p.b != null));
    }

    [Fact]
    public async Task A_correlated_subquery_can_project_values_of_the_outer_row()
    {
        await using var db = CreateContext();
        var rows = await (
            from a in db.Authors
            from country in db.Books.Where(b => b.AuthorId == a.Id).Select(b => a.Country)
            select new { a.Name, country }).ToListAsync();
        var expected =
            from a in _authors
            from country in _books.Where(b => b.AuthorId == a.Id).Select(b => a.Country)
            select new { a.Name, country };
        Assert.Equal(expected.OrderBy(r => r.Name), rows.OrderBy(r => r.Name));

        var withDefault = await (
            from a in db.Authors
            from name in db.Books.Where(b => b.AuthorId == a.Id).Select(b => a.Name + ":" + b.Title).DefaultIfEmpty()
            select name).ToListAsync();
        Assert.Equal(["Ann:Alpha", "Ann:Beta", "Ann:Delta", "Ben:Gamma", null], withDefault.OrderBy(n => n == null).ThenBy(n => n));
    }

    [Fact]
    public async Task DefaultIfEmpty_before_an_aggregate_of_a_projected_subquery_applies_to_the_joined_items()
    {
        await using var db = CreateContext();
        var sums =
            await db.Authors.OrderBy(a => a.Id).Select(a =>
                new { a.Name, Max = a.Books.Select(b => b.Price).DefaultIfEmpty().Max() }).ToListAsync();
        Assert.Equal([30m, 8m, 0m], sums.Select(s => s.Max));
    }

    [Fact]
    public async Task A_join_on_whole_entities_joins_on_their_keys_and_a_default_row_joins_nothing()
    {
        await using var db = CreateContext();
        Assert.Equal(
            ["Cid"],
            await db.Authors.Where(a => a.Country == "NO").Join(db.Authors.Where(a => a.Id > 1), o => o, i => i, (o, i) =>
                o.Name).ToListAsync());
        Assert.Empty(await db.Authors.Where(a => a.Country == "SE").DefaultIfEmpty()
            .Join(db.Authors.Where(a => a.Country == "SE").DefaultIfEmpty(), o => o, i => i, (o, i) => o)
            .ToListAsync());
    }

    [Fact]
    public async Task RightJoin_keeps_every_row_of_the_inner_side()
    {
        await using var db = CreateContext();
        var joined = await db.Authors
            .RightJoin(db.Books, a => (int?)a.Id, b => b.AuthorId, (a, b) => new { Author = a == null ? null : a.Name, b.Title })
            .ToListAsync();
        var expected =
            _authors.RightJoin(_books, a => (int?)a.Id, b => b.AuthorId, (a, b) => new { Author = a == null ? null : a.Name, b.Title });
        Assert.Equal(expected.OrderBy(p => p.Title), joined.OrderBy(p => p.Title));
    }

    [Fact]
    public async Task Last_after_Skip_or_Take_of_an_ordered_query()
    {
        await using var db = CreateContext();
        Assert.Equal("Beta", (await db.Books.OrderBy(b => b.Price).Take(4).LastAsync()).Title);
        Assert.Equal("Beta", (await db.Books.OrderByDescending(b => b.Price).Skip(1).LastOrDefaultAsync(b => b.Price > 20))!.Title);
        Assert.Null(await db.Books.OrderBy(b => b.Price).Skip(5).LastOrDefaultAsync());
    }

    [Fact]
    public async Task DefaultIfEmpty_with_a_default_value_and_over_a_correlated_subquery_say_why_they_cannot_be_translated()
    {
        await using var db = CreateContext();
        var withValue = await Assert.ThrowsAsync<InvalidOperationException>(
            () => db.Authors.Where(a => a.Country == "SE").DefaultIfEmpty(new Author()).ToListAsync());
        Assert.Contains("could not be translated", withValue.Message);

        var correlated = await Assert.ThrowsAsync<InvalidOperationException>(
            () => db.Authors.Where(a => a.Books.DefaultIfEmpty().Count() > 1).ToListAsync());
        Assert.Contains("could not be translated", correlated.Message);
    }

    [Fact]
    public void Mql_of_DefaultIfEmpty_outer_apply_right_join_and_last_after_take()
    {
        using var db = CreateContext();
        Assert.Equal(
            """db.authors.aggregate([{ "$match" : { "$expr" : false } }, { "$unionWith" : { "pipeline" : [{ "$documents" : [{ }] }] } }, """
            + """{ "$lookup" : { "from" : "authors", "pipeline" : [{ "$match" : { "Country" : { "$eq" : "SE" } } }], "as" : "__d0" } }, """
            + """{ "$unwind" : { "path" : "$__d0", "preserveNullAndEmptyArrays" : true } }])""",
            db.Authors.Where(a => a.Country == "SE").DefaultIfEmpty().ToQueryString());
        Assert.Equal(
            """db.authors.aggregate([{ "$lookup" : { "from" : "books", "let" : { "l0_v0" : "$_id" }, "pipeline" : [{ "$match" : """
            + """{ "$expr" : { "$ne" : [{ "$ifNull" : ["$AuthorId", null] }, "$$l0_v0"] } } }, { "$sort" : { "Price" : 1 } }, { "$limit" : 1 }], "as" : "__l0" } }, """
            + """{ "$unwind" : { "path" : "$__l0", "preserveNullAndEmptyArrays" : true } }])""",
            (from a in db.Authors
             from b in db.Books.Where(b => b.AuthorId != a.Id).OrderBy(b => b.Price).Take(1).DefaultIfEmpty()
             select new { a, b }).ToQueryString());
        Assert.Equal(
            """db.books.aggregate([{ "$lookup" : { "from" : "authors", "localField" : "AuthorId", "foreignField" : "_id", "as" : "__j0" } }, """
            + """{ "$unwind" : { "path" : "$__j0", "preserveNullAndEmptyArrays" : true } }])""",
            db.Authors.RightJoin(db.Books, a => (int?)a.Id, b => b.AuthorId, (a, b) => new { a, b }).ToQueryString());
        Assert.Equal(
            """db.books.aggregate([{ "$sort" : { "Price" : 1 } }, { "$limit" : 4 }, { "$sort" : { "Price" : -1 } }, { "$limit" : 1 }])""",
            db.Books.OrderBy(b => b.Price).Take(4).Reverse().Take(1).ToQueryString());
    }

    [Fact]
    public async Task A_subquery_two_levels_down_that_reads_the_outermost_row_fails_translation_instead_of_reading_the_wrong_row()
    {
        await using var db = CreateContext();

        // The innermost subquery's $lookup is joined into the book: the author (two levels out) would be read from the book.
        var twoLevels = db.Authors
            .Select(a => db.Books.Where(b => b.AuthorId == a.Id)
                .Select(b => db.Authors.Where(x => x.Id != a.Id).Select(x => x.Name).FirstOrDefault())
                .FirstOrDefault());
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => twoLevels.ToListAsync());
        Assert.Contains("two or more levels out", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_subquery_inside_a_joined_subquerys_projection_reads_the_item_it_is_joined_into()
    {
        await using var db = CreateContext();

        // Each book's author is looked up inside the book's own $lookup: read from the book, not from the author row
        // (which has a joined array of the same name; reading it gave one null per book of the author).
        var names = await db.Authors.OrderBy(a => a.Id)
            .Select(a => db.Books.Where(b => b.AuthorId == a.Id).OrderBy(b => b.Id)
                .Select(b => db.Authors.Where(x => x.Id == b.AuthorId).Select(x => x.Name).ToList()).ToList())
            .ToListAsync();
        var expected = _authors.OrderBy(a => a.Id)
            .Select(a => _books.Where(b => b.AuthorId == a.Id).OrderBy(b => b.Id)
                .Select(b => _authors.Where(x => x.Id == b.AuthorId).Select(x => x.Name).ToList()).ToList())
            .ToList();
        Assert.Equal(expected, names);

        // The books are joined once (a subquery in ToList() was visited twice, leaving an unused second $lookup).
        var mql = db.Authors.Select(a => db.Books.Where(b => b.AuthorId == a.Id).Select(b => b.Title).ToList()).ToQueryString();
        Assert.Equal(1, System.Text.RegularExpressions.Regex.Count(mql, "\"from\" : \"books\""));

        var titled = await db.Authors.OrderBy(a => a.Id)
            .Select(a => db.Books.Where(b => b.AuthorId == a.Id).OrderBy(b => b.Id)
                .Select(b => new { b.Title, Author = db.Authors.Where(x => x.Id == b.AuthorId).Select(x => x.Name).FirstOrDefault() })
                .ToList())
            .ToListAsync();
        var expectedTitled = _authors.OrderBy(a => a.Id)
            .Select(a => _books.Where(b => b.AuthorId == a.Id).OrderBy(b => b.Id)
                .Select(b => new { b.Title, Author = _authors.Where(x => x.Id == b.AuthorId).Select(x => x.Name).FirstOrDefault() })
                .ToList())
            .ToList();
        Assert.Equal(expectedTitled.Select(l => string.Join(",", l)), titled.Select(l => string.Join(",", l)));
        Assert.Contains("Author = Ann", titled[0][0].ToString(), StringComparison.Ordinal);
    }
}
