using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore;
using Tabernacle.EfCore.Extensions;

namespace LibraryManagement;

/// <summary>Creates the collections and unique indexes, and on an empty database the demo data.</summary>
public static class Seed
{
    public const string AdminUser = "admin";
    public const string AdminPassword = "admin-password";
    public const string LibrarianUser = "librarian";
    public const string LibrarianPassword = "librarian-password";
    public const string MemberUser = "alice";
    public const string MemberPassword = "alice-password";

    public static async Task RunAsync(IServiceProvider services, bool demoData, CancellationToken cancellationToken = default)
    {
        using var scope = services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<LibraryContext>();
        using var primary = db.Database.UseDefaultReadPreference(ReadPreference.Primary);
        await db.Database.EnsureCreatedAsync(cancellationToken);
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in Roles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                Check(await roles.CreateAsync(new IdentityRole(role)));
            }
        }

        if (!demoData || await db.Users.AnyAsync(cancellationToken))
        {
            return;
        }

        var users = scope.ServiceProvider.GetRequiredService<UserManager<User>>();
        foreach (var (name, password, role) in new[] { (AdminUser, AdminPassword, Roles.Admin),
            (LibrarianUser, LibrarianPassword, Roles.Librarian), (MemberUser, MemberPassword, Roles.Member) })
        {
            var user = new User { UserName = name, Email = $"{name}@library.example" };
            Check(await users.CreateAsync(user, password));
            Check(await users.AddToRoleAsync(user, role));
        }

        var tolkien = new Author { Name = "J. R. R. Tolkien", Biography = "Philologist and author of The Lord of the Rings." };
        var leGuin = new Author { Name = "Ursula K. Le Guin", Biography = "Author of the Earthsea cycle and the Hainish novels." };
        var knuth = new Author { Name = "Donald E. Knuth", Biography = "Author of The Art of Computer Programming." };
        var kleppmann = new Author { Name = "Martin Kleppmann", Biography = "Researcher in distributed systems." };
        db.Authors.AddRange(tolkien, leGuin, knuth, kleppmann);
        var fantasy = new Category { Name = "Fantasy", Description = "Other worlds." };
        var scienceFiction = new Category { Name = "Science fiction", Description = "Other futures." };
        var computing = new Category { Name = "Computing", Description = "Programs and the machines that run them." };
        db.Categories.AddRange(fantasy, scienceFiction, computing);
        db.Books.AddRange(
            Book("The Hobbit", "A hobbit, a dragon and a ring.", "9780547928227", tolkien, fantasy, 1937, 4),
            Book("The Fellowship of the Ring", "The first volume of The Lord of the Rings.", "9780547928210", tolkien, fantasy, 1954, 3),
            Book("A Wizard of Earthsea", "Ged learns the true names of things.", "9780547773742", leGuin, fantasy, 1968, 2),
            Book("The Left Hand of Darkness", "An envoy on the winter planet Gethen.", "9780441478125", leGuin, scienceFiction, 1969, 2),
            Book("The Dispossessed", "An ambiguous utopia.", "9780061054884", leGuin, scienceFiction, 1974, 1),
            Book("The Art of Computer Programming, Volume 1", "Fundamental algorithms.", "9780201896831", knuth, computing, 1968, 2),
            Book("Designing Data-Intensive Applications", "Replication, partitioning, transactions and consensus.", "9781449373320",
                kleppmann, computing, 2017, 3));
        await db.SaveChangesAsync(WriteConcern.WMajority, cancellationToken);
    }

    private static void Check(IdentityResult result)
    {
        if (!result.Succeeded)
        {
            throw new InvalidOperationException("Seeding failed: " + string.Join("; ", result.Errors.Select(e => e.Description)));
        }
    }

    private static Book Book(string title, string description, string isbn, Author author, Category category, int year, int copies) => new()
    {
        Title = title,
        Description = description,
        Isbn = isbn,
        AuthorId = author.Id,
        CategoryId = category.Id,
        PublishedYear = year,
        TotalCopies = copies,
        AvailableCopies = copies,
    };
}
