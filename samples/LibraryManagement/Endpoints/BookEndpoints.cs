using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;

namespace LibraryManagement.Endpoints;

public sealed record BookRequest(string? Title, string? Description, string? Isbn, string? AuthorId, string? CategoryId, int? PublishedYear,
    int? TotalCopies);

public sealed record PagedResult<T>(IReadOnlyList<T> Items, int Page, int PageSize, long Total);

public static class BookEndpoints
{
    public static void MapBookEndpoints(this IEndpointRouteBuilder app)
    {
        // Catalogue reads tolerate a little staleness: secondaries take them off the primary.
        var books = app.MapGroup("/api/books").WithTags("Books").WithReadPreference(ReadPreferenceMode.SecondaryPreferred);

        books.MapGet("/", async (LibraryContext db, int? page, int? pageSize) =>
        {
            var p = page ?? 1;
            var size = pageSize ?? 20;
            var errors = new Dictionary<string, string[]>();
            if (p is < 1 or > Limits.MaxPage)
            {
                errors["page"] = [$"page must be between 1 and {Limits.MaxPage}."];
            }

            if (size is < 1 or > Limits.MaxPageSize)
            {
                errors["pageSize"] = [$"pageSize must be between 1 and {Limits.MaxPageSize}."];
            }

            if (errors.Count > 0)
            {
                return Results.ValidationProblem(errors);
            }

            var total = await db.Books.LongCountAsync();
            var items = await db.Books.OrderBy(b => b.Title).Skip((p - 1) * size).Take(size).ToListAsync();
            return Results.Ok(new PagedResult<Book>(items, p, size, total));
        });

        books.MapGet("/available", (LibraryContext db) =>
            db.Books.Where(b => b.AvailableCopies > 0).OrderBy(b => b.Title).Take(100).ToListAsync());

        // The original's "search on secondaries".
        books.MapGet("/search", async (LibraryContext db, string? q) =>
        {
            if (string.IsNullOrWhiteSpace(q) || q.Length > 100)
            {
                return Results.ValidationProblem(
                    new Dictionary<string, string[]> { ["q"] = ["A search text of 1 to 100 characters is required."] });
            }

            var found = await db.Books
                .Where(b =>
                    b.Title.ToLower().Contains(q.ToLower()) || (b.Description != null && b.Description.ToLower().Contains(q.ToLower())))
                .OrderBy(b => b.Title).Take(50).ToListAsync();
            return Results.Ok(found);
        }).WithReadPreference(ReadPreferenceMode.Secondary);

        books.MapGet("/by-author/{authorId}", async (string authorId, LibraryContext db) =>
        {
            if (!Ids.TryParse(authorId, out var id) || !await db.Authors.AnyAsync(a => a.Id == id))
            {
                return Results.NotFound();
            }

            return Results.Ok(await db.Books.Where(b => b.AuthorId == id).OrderBy(b => b.Title).ToListAsync());
        });

        books.MapGet("/by-category/{categoryId}", async (string categoryId, LibraryContext db) =>
        {
            if (!Ids.TryParse(categoryId, out var id) || !await db.Categories.AnyAsync(c => c.Id == id))
            {
                return Results.NotFound();
            }

            return Results.Ok(await db.Books.Where(b => b.CategoryId == id).OrderBy(b => b.Title).ToListAsync());
        });

        books.MapGet("/{id}", async (string id, LibraryContext db) =>
            Ids.TryParse(id, out var bookId) && await db.Books.FirstOrDefaultAsync(b => b.Id == bookId) is { } book
                ? Results.Ok(book)
                : Results.NotFound());

        // Writes, and the reads that check them, go to the primary.
        books.MapPost("/", async (BookRequest request, LibraryContext db, HttpContext http) =>
        {
            var (book, error) = await ValidateAsync(request, db, null);
            if (error is not null)
            {
                return error;
            }

            db.Books.Add(book!);
            db.AuditLog.Add(new AuditEntry { Action = "book.create", UserId = http.User.Id(), Details = book!.Isbn });
            try
            {
                await db.SaveChangesAsync(WriteConcern.WMajority);
            }
            catch (DbUpdateException ex) when (Errors.IsDuplicateKey(ex))
            {
                return DuplicateIsbn();
            }

            return Results.Created($"/api/books/{book.Id}", book);
        }).RequireAuthorization("librarian").WithReadPreference(ReadPreferenceMode.Primary);

        books.MapPut("/{id}", async (string id, BookRequest request, LibraryContext db, HttpContext http) =>
        {
            if (!Ids.TryParse(id, out var bookId) || await db.Books.FirstOrDefaultAsync(b => b.Id == bookId) is not { } existing)
            {
                return Results.NotFound();
            }

            var (book, error) = await ValidateAsync(request, db, existing);
            if (error is not null)
            {
                return error;
            }

            db.AuditLog.Add(new AuditEntry { Action = "book.update", UserId = http.User.Id(), Details = book!.Isbn });
            try
            {
                await db.SaveChangesAsync(WriteConcern.WMajority);
            }
            catch (DbUpdateException ex) when (Errors.IsDuplicateKey(ex))
            {
                return DuplicateIsbn();
            }

            return Results.Ok(book);
        }).RequireAuthorization("admin").WithReadPreference(ReadPreferenceMode.Primary);

        books.MapDelete("/{id}", async (string id, LibraryContext db, HttpContext http) =>
        {
            if (!Ids.TryParse(id, out var bookId) || await db.Books.FirstOrDefaultAsync(b => b.Id == bookId) is not { } book)
            {
                return Results.NotFound();
            }

            if (await db.Loans.AnyAsync(l => l.BookId == bookId && l.ReturnedAt == null))
            {
                return Results.Problem(
                    "The book has copies on loan; it can be deleted once they are returned.",
                    statusCode: StatusCodes.Status409Conflict);
            }

            db.Books.Remove(book);
            db.AuditLog.Add(new AuditEntry { Action = "book.delete", UserId = http.User.Id(), Details = book.Isbn });
            await db.SaveChangesAsync(WriteConcern.WMajority);
            return Results.NoContent();
        }).RequireAuthorization("admin").WithReadPreference(ReadPreferenceMode.Primary);

        app.MapGet("/api/authors", (LibraryContext db) => db.Authors.OrderBy(a => a.Name).ToListAsync())
            .WithTags("Books").WithReadPreference(ReadPreferenceMode.SecondaryPreferred);
        app.MapGet("/api/categories", (LibraryContext db) => db.Categories.OrderBy(c => c.Name).ToListAsync())
            .WithTags("Books").WithReadPreference(ReadPreferenceMode.SecondaryPreferred);
    }

    // The value is not repeated: the caller knows it, and messages and logs should not carry keys.
    private static IResult DuplicateIsbn() =>
        Results.Problem(
            "A book with this ISBN already exists (ISBN-10 and ISBN-13 forms of one ISBN are the same book).",
            statusCode: StatusCodes.Status409Conflict);

    private static async Task<(Book? Book, IResult? Error)> ValidateAsync(BookRequest request, LibraryContext db, Book? existing)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Title) || request.Title.Length > Limits.MaxTitleLength
            || Accounts.HasInvisibleCharacters(request.Title))
        {
            errors["title"] = [$"A title of 1 to {Limits.MaxTitleLength} visible characters is required."];
        }

        if (request.Description is { } description
            && (description.Length > Limits.MaxDescriptionLength
                || Accounts.HasInvisibleCharacters(description.Replace("\n", "", StringComparison.Ordinal))))
        {
            errors["description"] =
                [$"A description has at most {Limits.MaxDescriptionLength} characters and no control or format characters but line "
                    + "breaks."];
        }

        if (!Isbn.TryNormalize(request.Isbn, out var isbn))
        {
            errors["isbn"] = ["A valid ISBN-10 or ISBN-13 is required (its check digit must match; hyphens and spaces are ignored)."];
        }

        if (request.TotalCopies is not (>= 0 and <= Limits.MaxCopies))
        {
            errors["totalCopies"] = [$"totalCopies must be between 0 and {Limits.MaxCopies}."];
        }

        if (request.PublishedYear is { } year && (year < Limits.MinPublishedYear || year > Limits.MaxPublishedYear))
        {
            errors["publishedYear"] = [$"publishedYear must be between {Limits.MinPublishedYear} and {Limits.MaxPublishedYear}."];
        }

        ObjectId authorId = default, categoryId = default;
        if (!Ids.TryParse(request.AuthorId, out authorId) || !await db.Authors.AnyAsync(a => a.Id == authorId))
        {
            errors["authorId"] = ["No such author."];
        }

        if (!Ids.TryParse(request.CategoryId, out categoryId) || !await db.Categories.AnyAsync(c => c.Id == categoryId))
        {
            errors["categoryId"] = ["No such category."];
        }

        var onLoan = existing is null ? 0 : existing.TotalCopies - existing.AvailableCopies;
        if (existing is not null && request.TotalCopies < onLoan)
        {
            errors["totalCopies"] = [$"{onLoan} copies are on loan: totalCopies cannot be lower."];
        }

        if (errors.Count > 0)
        {
            return (null, Results.ValidationProblem(errors));
        }

        var book = existing ?? new Book();
        book.Title = request.Title!;
        book.Description = request.Description;
        book.Isbn = isbn!;
        book.AuthorId = authorId;
        book.CategoryId = categoryId;
        book.PublishedYear = request.PublishedYear ?? 0;
        book.TotalCopies = request.TotalCopies!.Value;
        book.AvailableCopies = request.TotalCopies.Value - onLoan;
        return (book, null);
    }
}
