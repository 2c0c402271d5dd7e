using System.Net;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using Microsoft.EntityFrameworkCore;

namespace LibraryManagement.Tests;

public sealed class ConcurrentBorrowTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    [Fact]
    public async Task Twenty_concurrent_borrows_of_a_book_with_three_copies_lend_exactly_three()
    {
        var book = await factory.NewBookAsync(3);
        var members = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => factory.NewMemberAsync()));
        try
        {
            using var start = new SemaphoreSlim(0);
            var borrows = members.Select(async m =>
            {
                await start.WaitAsync();
                return (await m.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()))).StatusCode;
            }).ToList();
            start.Release(members.Length);
            var statuses = await Task.WhenAll(borrows);

            Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Created));
            Assert.Equal(17, statuses.Count(s => s == HttpStatusCode.Conflict));
            var stored = await factory.WithDbAsync(db => db.Books.FirstAsync(b => b.Id == book.Id));
            Assert.Equal(0, stored.AvailableCopies);
            Assert.Equal(3, stored.TimesBorrowed);
            Assert.Equal(3, await factory.WithDbAsync(db => db.Loans.CountAsync(l => l.BookId == book.Id)));
        }
        finally
        {
            foreach (var m in members)
            {
                m.Dispose();
            }
        }
    }

    [Fact]
    public async Task Ten_concurrent_borrows_of_ten_books_by_one_member_stop_at_the_limit_of_five()
    {
        var books = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => factory.NewBookAsync(1)));
        using var member = await factory.NewMemberAsync();
        using var start = new SemaphoreSlim(0);
        var borrows = books.Select(async b =>
        {
            await start.WaitAsync();
            return (await member.PostAsJsonAsync("/api/loans", new BorrowRequest(b.Id.ToString()))).StatusCode;
        }).ToList();
        start.Release(books.Length);
        var statuses = await Task.WhenAll(borrows);

        Assert.Equal(Loan.MaxActiveLoans, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.Equal(10 - Loan.MaxActiveLoans, statuses.Count(s => s == HttpStatusCode.Conflict));
        var ids = books.Select(b => b.Id).ToList();
        var loans = await factory.WithDbAsync(db => db.Loans.Where(l => ids.Contains(l.BookId) && l.ReturnedAt == null).ToListAsync());
        Assert.Equal(Loan.MaxActiveLoans, loans.Count);
        Assert.Single(loans.Select(l => l.UserId).Distinct());
        Assert.Equal(
            Loan.MaxActiveLoans,
            (await factory.WithDbAsync(db => db.LoanQuotas.FirstAsync(q => q.Id == loans[0].UserId))).ActiveLoans);
        // Copies of the books that were refused are all still there.
        Assert.Equal(
            10 - Loan.MaxActiveLoans,
            await factory.WithDbAsync(db => db.Books.CountAsync(b => ids.Contains(b.Id) && b.AvailableCopies == 1)));
    }
}
