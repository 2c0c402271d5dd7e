using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore;

namespace Tabernacle.Chaos;

/// <summary>A book as the provider maps it onto the workload's <c>books</c> documents.</summary>
internal sealed class ChaosBook
{
    public static class Meta
    {
        public const string Collection = Schema.Books;
    }

    public string Id { get; set; } = "";

    public int Copies { get; set; }

    public int Available { get; set; }
}

/// <summary>A loan as the provider maps it onto the workload's <c>loans</c> documents.</summary>
internal sealed class ChaosLoan
{
    public static class Meta
    {
        public const string Collection = Schema.Loans;
    }

    public string Id { get; set; } = "";

    public string Book { get; set; } = "";

    public int C { get; set; }

    public bool Active { get; set; }
}

internal sealed class ChaosContext(DbContextOptions<ChaosContext> options) : DbContext(options)
{
    public DbSet<ChaosBook> Books => Set<ChaosBook>();

    public DbSet<ChaosLoan> Loans => Set<ChaosLoan>();
}

/// <summary>
/// The LibraryManagement sample's borrow, through the provider: the execution strategy, a transaction, a conditional
/// ExecuteUpdate of the copy count, the loan added and SaveChanges, then the commit. This is where issue 15 found an
/// orphaned loan after a step-down inside SaveChanges; the checker's loan rules hold it to "reported done means done,
/// reported failed leaves nothing".
/// </summary>
internal static class ProviderBorrow
{
    private static readonly TransactionOptions Majority = new(ReadConcern.Snapshot, writeConcern: WriteConcern.WMajority);

    public static DbContextOptions<ChaosContext> Options(IMongoClient client, string database) =>
        new DbContextOptionsBuilder<ChaosContext>()
            .UseTabernacle(client, database, o => o
                .ElementNaming(ElementNaming.CamelCase)
                .EnableRetryOnFailure(maxRetryCount: 3, maxRetryDelay: TimeSpan.FromMilliseconds(500)))
            .Options;

    /// <summary>Returns null when the loan was committed, or the reason the borrow did nothing.</summary>
    public static async Task<string?> RunAsync(
        DbContextOptions<ChaosContext> options, string loan, string book, int client, CancellationToken cancellationToken)
    {
        await using var db = new ChaosContext(options);
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async ct =>
        {
            db.ChangeTracker.Clear();
            await using var transaction = await db.Database.BeginTransactionAsync(Majority, ct);
            var taken = await db.Books
                .Where(b => b.Id == book && b.Available > 0)
                .ExecuteUpdateAsync(s => s.SetProperty(b => b.Available, b => b.Available - 1), ct);
            if (taken == 0)
            {
                return "no copy available";
            }

            db.Loans.Add(new ChaosLoan { Id = loan, Book = book, C = client, Active = true });
            await db.SaveChangesAsync(ct);
            await transaction.CommitAsync(ct);
            return (string?)null;
        }, cancellationToken);
    }

    /// <summary>
    /// What the provider threw: a transaction error labelled transient (and not unknown-commit) after its retries
    /// means nothing was committed; anything else may have been.
    /// </summary>
    public static (Outcome Outcome, string Error) Classify(Exception exception)
    {
        var inner = exception;
        while (inner is not MongoException && inner.InnerException is not null)
        {
            inner = inner.InnerException;
        }

        var name = exception == inner ? Outcomes.Describe(inner) : $"{exception.GetType().Name}: {Outcomes.Describe(inner)}";
        return inner is MongoException mongo
            && mongo.HasErrorLabel("TransientTransactionError")
            && !mongo.HasErrorLabel("UnknownTransactionCommitResult")
            ? (Outcome.Fail, name)
            : (Outcome.Unknown, name);
    }
}
