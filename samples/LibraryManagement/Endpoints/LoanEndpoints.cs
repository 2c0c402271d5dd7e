using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;

namespace LibraryManagement.Endpoints;

public sealed record BorrowRequest(string? BookId);

public sealed record LoanView(string Id, string BookId, string UserId, DateTime BorrowedAt, DateTime DueAt, DateTime? ReturnedAt,
    decimal Fine, bool Overdue)
{
    public static LoanView Of(Loan l, DateTime now) => new(
        l.Id.ToString(), l.BookId.ToString(), l.UserId.ToString(), l.BorrowedAt, l.DueAt, l.ReturnedAt,
        l.ReturnedAt is null ? Loan.FineFor(l.DueAt, now) : l.Fine,
        l.ReturnedAt is null && l.DueAt < now);
}

public static class LoanEndpoints
{
    // Borrow and return: one transaction, committed with w:majority, so an acknowledged loan survives a failover.
    private static readonly TransactionOptions Majority = new(readConcern: ReadConcern.Snapshot, writeConcern: WriteConcern.WMajority);

    public static void MapLoanEndpoints(this IEndpointRouteBuilder app)
    {
        // A user's own loans and anything just written: the primary.
        var loans = app.MapGroup("/api/loans").WithTags("Loans").RequireAuthorization().WithReadPreference(ReadPreferenceMode.Primary);

        loans.MapGet("/mine", async (LibraryContext db, HttpContext http) =>
        {
            var userId = http.User.Id();
            var now = DateTime.UtcNow;
            var mine = await db.Loans.Where(l => l.UserId == userId).OrderByDescending(l => l.BorrowedAt).ToListAsync();
            return mine.Select(l => LoanView.Of(l, now)).ToList();
        });

        // Librarians' lists tolerate staleness.
        loans.MapGet("/active", async (LibraryContext db) =>
        {
            var now = DateTime.UtcNow;
            var active = await db.Loans.Where(l => l.ReturnedAt == null).OrderBy(l => l.DueAt).Take(500).ToListAsync();
            return active.Select(l => LoanView.Of(l, now)).ToList();
        }).RequireAuthorization("librarian").WithReadPreference(ReadPreferenceMode.SecondaryPreferred);

        // Overdue loans and their fines as of now, computed on read: a GET writes nothing.
        loans.MapGet("/overdue", async (LibraryContext db) =>
        {
            var now = DateTime.UtcNow;
            var overdue = await db.Loans.Where(l => l.ReturnedAt == null && l.DueAt < now).OrderBy(l => l.DueAt).Take(500).ToListAsync();
            return overdue.Select(l => LoanView.Of(l, now)).ToList();
        }).RequireAuthorization("librarian").WithReadPreference(ReadPreferenceMode.SecondaryPreferred);

        loans.MapGet("/{id}", async (string id, LibraryContext db, HttpContext http) =>
        {
            if (!Ids.TryParse(id, out var loanId) || await db.Loans.FirstOrDefaultAsync(l => l.Id == loanId) is not { } loan)
            {
                return Results.NotFound();
            }

            return loan.UserId == http.User.Id() || http.User.IsAdmin() ? Results.Ok(LoanView.Of(loan, DateTime.UtcNow)) : Results.Forbid();
        });

        loans.MapPost("/", async (
            BorrowRequest request, LibraryContext db, HttpContext http, ILogger<Loan> logger, CancellationToken cancellationToken) =>
        {
            if (!Ids.TryParse(request.BookId, out var bookId))
            {
                return Errors.Validation("bookId", "A book id is required.");
            }

            var userId = http.User.Id();
            await EnsureQuotaAsync(db, userId, cancellationToken);
            var strategy = db.Database.CreateExecutionStrategy();
            var result = await GiveUpAsConflictAsync(logger, "borrow", () => strategy.ExecuteAsync(async ct =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(Majority, ct);
                if (!await db.Books.AnyAsync(b => b.Id == bookId, ct))
                {
                    return Results.NotFound();
                }

                // The member's quota document goes up only while below the limit. Two concurrent borrows by one member both
                // write it, so one of them conflicts and is retried against the other's outcome: the limit holds.
                var slot = await db.LoanQuotas
                    .Where(q => q.Id == userId && q.ActiveLoans < Loan.MaxActiveLoans)
                    .ExecuteUpdateAsync(s => s.SetProperty(q => q.ActiveLoans, q => q.ActiveLoans + 1), ct);
                if (slot == 0)
                {
                    return Results.Problem(
                        $"At most {Loan.MaxActiveLoans} books may be on loan at once; return one before borrowing another.",
                        statusCode: StatusCodes.Status409Conflict);
                }

                // The copy count goes down only while it is positive: concurrent borrowers cannot take more copies than exist.
                var taken = await db.Books
                    .Where(b => b.Id == bookId && b.AvailableCopies > 0)
                    .ExecuteUpdateAsync(s =>
                        s.SetProperty(b => b.AvailableCopies, b => b.AvailableCopies - 1).SetProperty(b => b.TimesBorrowed, b =>
                            b.TimesBorrowed + 1), ct);
                if (taken == 0)
                {
                    return Results.Problem(
                        "No copy of this book is available; reserve it instead.",
                        statusCode: StatusCodes.Status409Conflict);
                }

                var loan = new Loan { BookId = bookId, UserId = userId, DueAt = DateTime.UtcNow.AddDays(Loan.LoanDays) };
                db.Loans.Add(loan);
                await db.SaveChangesAsync(ct);
                await transaction.CommitAsync(ct);
                return Results.Created($"/api/loans/{loan.Id}", LoanView.Of(loan, DateTime.UtcNow));
            }, cancellationToken));

            if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status201Created })
            {
                await AuditAsync(db, "loan.borrow", userId, bookId.ToString());
            }

            return result;
        });

        loans.MapPost("/{id}/return", async (
            string id, LibraryContext db, HttpContext http, ILogger<Loan> logger, CancellationToken cancellationToken) =>
        {
            if (!Ids.TryParse(id, out var loanId))
            {
                return Results.NotFound();
            }

            var user = http.User;
            var strategy = db.Database.CreateExecutionStrategy();
            var result = await GiveUpAsConflictAsync(logger, "return", () => strategy.ExecuteAsync(async ct =>
            {
                db.ChangeTracker.Clear();
                await using var transaction = await db.Database.BeginTransactionAsync(Majority, ct);
                if (await db.Loans.FirstOrDefaultAsync(l => l.Id == loanId, ct) is not { } loan)
                {
                    return Results.NotFound();
                }

                if (loan.UserId != user.Id() && !user.IsLibrarian())
                {
                    return Results.Forbid();
                }

                if (loan.ReturnedAt is not null)
                {
                    return Results.Problem("This loan was already returned.", statusCode: StatusCodes.Status409Conflict);
                }

                var now = DateTime.UtcNow;
                loan.ReturnedAt = now;
                loan.Fine = Loan.FineFor(loan.DueAt, now);
                await db.SaveChangesAsync(ct);
                await db.Books.Where(b => b.Id == loan.BookId)
                    .ExecuteUpdateAsync(s => s.SetProperty(b => b.AvailableCopies, b => b.AvailableCopies + 1), ct);
                await db.LoanQuotas.Where(q => q.Id == loan.UserId && q.ActiveLoans > 0)
                    .ExecuteUpdateAsync(s => s.SetProperty(q => q.ActiveLoans, q => q.ActiveLoans - 1), ct);
                await transaction.CommitAsync(ct);
                return Results.Ok(LoanView.Of(loan, now));
            }, cancellationToken));

            if (result is IStatusCodeHttpResult { StatusCode: StatusCodes.Status200OK })
            {
                await AuditAsync(db, "loan.return", user.Id(), loanId.ToString());
            }

            return result;
        });
    }

    /// <summary>
    /// Write conflicts are retried by the execution strategy (the provider logs them at information level); one that
    /// outlasts every retry reaches the user as a 409 and is logged here at warning level.
    /// </summary>
    private static async Task<IResult> GiveUpAsConflictAsync(ILogger logger, string operation, Func<Task<IResult>> run)
    {
        try
        {
            return await run();
        }
        catch (RetryLimitExceededException ex)
        {
            logger.LogWarning(
                "A {Operation} kept conflicting with concurrent ones and gave up after its retries: {Error}",
                operation,
                ex.InnerException?.GetType().Name);
            return Results.Problem(
                $"This {operation} conflicted with others happening at the same time; try again.",
                statusCode: StatusCodes.Status409Conflict);
        }
    }

    /// <summary>
    /// Creates the member's quota document on their first borrow, from the loans they have out (a concurrent first borrow
    /// may create it first: its duplicate key is fine).
    /// </summary>
    private static async Task EnsureQuotaAsync(LibraryContext db, string userId, CancellationToken cancellationToken)
    {
        if (await db.LoanQuotas.AnyAsync(q => q.Id == userId, cancellationToken))
        {
            return;
        }

        var active = await db.Loans.CountAsync(l => l.UserId == userId && l.ReturnedAt == null, cancellationToken);
        db.LoanQuotas.Add(new LoanQuota { Id = userId, ActiveLoans = active });
        try
        {
            await db.SaveChangesAsync(WriteConcern.WMajority, cancellationToken);
        }
        catch (DbUpdateException ex) when (Errors.IsDuplicateKey(ex))
        {
            // Another request of the same member created it.
        }
        finally
        {
            db.ChangeTracker.Clear();
        }
    }

    /// <summary>Audit entries: w:1, after the transaction (the entity type's [WriteConcern(1)] says so too).</summary>
    internal static async Task AuditAsync(LibraryContext db, string action, string userId, string details)
    {
        db.ChangeTracker.Clear();
        db.AuditLog.Add(new AuditEntry { Action = action, UserId = userId, Details = details });
        await db.SaveChangesAsync(WriteConcern.W1);
    }
}
