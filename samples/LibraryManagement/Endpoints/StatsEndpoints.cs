using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions;

namespace LibraryManagement.Endpoints;

public sealed record CategoryStats(string CategoryId, string Category, int Books, int Copies, int TimesBorrowed);

public sealed record MostBorrowed(string BookId, string Title, int TimesBorrowed);

public sealed record Stats(int Books, int Copies, int AvailableCopies, int Users, int ActiveLoans, int OverdueLoans,
    IReadOnlyList<MostBorrowed> MostBorrowed, IReadOnlyList<CategoryStats> ByCategory);

public static class StatsEndpoints
{
    public static void MapStatsEndpoints(this IEndpointRouteBuilder app)
    {
        // Analytics: secondaries only.
        app.MapGet("/api/stats", async (LibraryContext db) =>
        {
            var now = DateTime.UtcNow;
            var books = await db.Books.CountAsync();
            var copies = await db.Books.SumAsync(b => b.TotalCopies);
            var available = await db.Books.SumAsync(b => b.AvailableCopies);
            var users = await db.Users.CountAsync();
            var active = await db.Loans.CountAsync(l => l.ReturnedAt == null);
            var overdue = await db.Loans.CountAsync(l => l.ReturnedAt == null && l.DueAt < now);
            var most = await db.Books.Where(b => b.TimesBorrowed > 0).OrderByDescending(b => b.TimesBorrowed).ThenBy(b => b.Title).Take(5)
                .Select(b => new { b.Id, b.Title, b.TimesBorrowed }).ToListAsync();
            // $group on the server.
            var groups = await db.Books.GroupBy(b => b.CategoryId)
                .Select(g =>
                    new { CategoryId = g.Key, Books = g.Count(), Copies = g.Sum(b => b.TotalCopies),
                        Borrowed = g.Sum(b => b.TimesBorrowed) })
                .ToListAsync();
            var names = await db.Categories.ToDictionaryAsync(c => c.Id, c => c.Name);
            return new Stats(
                books, copies, available, users, active, overdue,
                most.Select(m => new MostBorrowed(m.Id.ToString(), m.Title, m.TimesBorrowed)).ToList(),
                groups.Select(g =>
                    new CategoryStats(g.CategoryId.ToString(), names.GetValueOrDefault(g.CategoryId, "(unknown)"), g.Books, g.Copies,
                        g.Borrowed))
                    .OrderByDescending(c => c.Books).ThenBy(c => c.Category).ToList());
        }).WithTags("Stats").WithReadPreference(ReadPreferenceMode.Secondary);
    }
}
