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
}
