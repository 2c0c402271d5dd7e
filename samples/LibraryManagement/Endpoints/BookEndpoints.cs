using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;

namespace LibraryManagement.Endpoints;

public sealed record BookRequest(string? Title, string? Description, string? Isbn, string? AuthorId, string? CategoryId, int? PublishedYear, int? TotalCopies);

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
            if (p < 1 || size is < 1 or > 100)
            {
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["page"] = ["page must be at least 1 and pageSize between 1 and 100."] });
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
                return Results.ValidationProblem(new Dictionary<string, string[]> { ["q"] = ["A search text of 1 to 100 characters is required."] });
            }

            var found = await db.Books
                .Where(b => b.Title.ToLower().Contains(q.ToLower()) || (b.Description != null && b.Description.ToLower().Contains(q.ToLower())))
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
                return Results.Conflict(new { error = $"A book with ISBN {request.Isbn} already exists." });
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
                return Results.Conflict(new { error = $"A book with ISBN {request.Isbn} already exists." });
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
                return Results.Conflict(new { error = "The book has copies on loan." });
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

    private static async Task<(Book? Book, IResult? Error)> ValidateAsync(BookRequest request, LibraryContext db, Book? existing)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Title))
        {
            errors["title"] = ["A title is required."];
        }

        if (string.IsNullOrWhiteSpace(request.Isbn) || request.Isbn.Replace("-", "", StringComparison.Ordinal).Length is not (10 or 13))
        {
            errors["isbn"] = ["An ISBN of 10 or 13 digits is required."];
        }

        if (request.TotalCopies is not (>= 0 and <= 10_000))
        {
            errors["totalCopies"] = ["totalCopies must be between 0 and 10000."];
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
        book.Isbn = request.Isbn!;
        book.AuthorId = authorId;
        book.CategoryId = categoryId;
        book.PublishedYear = request.PublishedYear ?? 0;
        book.TotalCopies = request.TotalCopies!.Value;
        book.AvailableCopies = request.TotalCopies.Value - onLoan;
        return (book, null);
    }
}
