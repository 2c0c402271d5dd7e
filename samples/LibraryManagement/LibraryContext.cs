using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Tabernacle.EfCore;

namespace LibraryManagement;

/// <summary>
/// The library's data, ASP.NET Core Identity's users and roles (its own EF Core model, unchanged) and the Data Protection
/// key ring (so sign-in cookies, antiforgery and read-your-writes tokens survive restarts and work across instances).
/// </summary>
public class LibraryContext(DbContextOptions<LibraryContext> options)
    : IdentityDbContext<User, IdentityRole, string>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();

    public DbSet<Author> Authors => Set<Author>();

    public DbSet<Category> Categories => Set<Category>();

    public DbSet<Book> Books => Set<Book>();

    public DbSet<Loan> Loans => Set<Loan>();

    public DbSet<LoanQuota> LoanQuotas => Set<LoanQuota>();

    public DbSet<Reservation> Reservations => Set<Reservation>();

    public DbSet<AuditEntry> AuditLog => Set<AuditEntry>();

    public DbSet<Notification> Notifications => Set<Notification>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        base.OnModelCreating(modelBuilder);
        modelBuilder.Entity<Category>().HasIndex(c => c.Name).IsUnique();
        modelBuilder.Entity<Book>().HasIndex(b => b.Isbn).IsUnique();
        modelBuilder.Entity<Loan>().HasIndex(l => l.UserId);
        modelBuilder.Entity<AuditEntry>().ToCollection("audit_log");
        modelBuilder.Entity<LoanQuota>().ToCollection("loan_quotas");
        modelBuilder.Entity<Notification>().ToCollection("notifications");
        modelBuilder.Entity<Notification>().HasIndex(n => n.LoanId).IsUnique();
        modelBuilder.Entity<Notification>().HasIndex(n => n.UserId);
    }
}
