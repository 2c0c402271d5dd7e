using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;

namespace LibraryManagement.LiveUpdates;

/// <summary>
/// When a copy is returned, notifies the member first in the book's reservation queue (the oldest active reservation):
/// a change-feed service over returned loans, whose resume token the provider stores, so returns made while the app is
/// down are notified when it starts again.
/// </summary>
public sealed class ReservationNotifier(IServiceScopeFactory scopes, ILogger<ReservationNotifier> logger, ChangeFeedStatusRegistry registry)
    : ChangeFeedService<LibraryContext, Loan>(scopes, logger, registry)
{
    protected override IQueryable<Loan> Source(LibraryContext context) => context.Loans.Where(l => l.ReturnedAt != null);

    // The first run (no stored token yet) starts when the app started, so no return made while it opens is missed.
    private readonly MongoDB.Bson.BsonTimestamp _startedAt = new((int)DateTimeOffset.UtcNow.ToUnixTimeSeconds(), 0);

    protected override ChangeFeedOptions CreateOptions() =>
        new() { MaxAwaitTime = TimeSpan.FromSeconds(1), StartAtOperationTime = _startedAt };

    protected override async Task HandleAsync(EntityChange<Loan> change, LibraryContext context, CancellationToken cancellationToken)
    {
        var returned = change.Operation == EntityChangeOperation.Update && change.ChangedProperties.Contains(nameof(Loan.ReturnedAt));
        if (!returned || change.Entity is not { } loan)
        {
            return;
        }

        context.ChangeTracker.Clear();
        var next = await context.Reservations.WithReadPreference(ReadPreference.Primary)
            .Where(r => r.BookId == loan.BookId && r.Status == "active")
            .OrderBy(r => r.CreatedAt)
            .FirstOrDefaultAsync(cancellationToken);
        if (next is null
            || await context.Notifications.WithReadPreference(ReadPreference.Primary).AnyAsync(n => n.LoanId == loan.Id, cancellationToken))
        {
            return;
        }

        var title = await context.Books.WithReadPreference(ReadPreference.Primary)
            .Where(b => b.Id == loan.BookId).Select(b => b.Title).FirstOrDefaultAsync(cancellationToken);
        context.Notifications.Add(new Notification
        {
            UserId = next.UserId,
            BookId = loan.BookId,
            LoanId = loan.Id,
            Message = $"A copy of \"{title ?? "a book you reserved"}\" was returned: you are first in the queue.",
        });
        try
        {
            await context.SaveChangesAsync(WriteConcern.WMajority, cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is MongoBulkWriteException or MongoWriteException
            { WriteError.Category: ServerErrorCategory.DuplicateKey })
        {
            // Handled before: the unique index on LoanId keeps one notification per return.
        }
    }
}
