using System.Net;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore;

namespace LibraryManagement.Tests;

public sealed class LoanEndpointTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    private static async Task<LoanView> BorrowAsync(HttpClient client, Book book)
    {
        var response = await client.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<LoanView>(Json.Options))!;
    }

    [Fact]
    public async Task Borrowing_lends_a_copy_for_14_days_and_shows_in_my_loans_at_once()
    {
        var book = await factory.NewBookAsync(2);
        using var member = await factory.NewMemberAsync();
        var loan = await BorrowAsync(member, book);
        Assert.Equal(14, Math.Round((loan.DueAt - loan.BorrowedAt).TotalDays));
        var mine = await member.GetFromJsonAsync<List<LoanView>>("/api/loans/mine", Json.Options);
        Assert.Equal(loan.Id, Assert.Single(mine!).Id);
        var stored = await factory.WithDbAsync(db => db.Books.FirstAsync(b => b.Id == book.Id));
        Assert.Equal((1, 1), (stored.AvailableCopies, stored.TimesBorrowed));
        Assert.True(
            await factory.WithDbAsync(db => db.AuditLog.AnyAsync(a => a.Action == "loan.borrow" && a.Details == book.Id.ToString())));
    }

    [Fact]
    public async Task Borrowing_answers_400_404_and_409_when_no_copy_is_left()
    {
        var book = await factory.NewBookAsync(1);
        using var first = await factory.NewMemberAsync();
        using var second = await factory.NewMemberAsync();
        Assert.Equal(HttpStatusCode.BadRequest, (await first.PostAsJsonAsync("/api/loans", new BorrowRequest("nope"))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await first.PostAsJsonAsync("/api/loans", new BorrowRequest(ObjectId.GenerateNewId().ToString()))).StatusCode);
        await BorrowAsync(first, book);
        Assert.Equal(HttpStatusCode.Conflict,
            (await second.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()))).StatusCode);
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()))).StatusCode);
    }

    [Fact]
    public async Task A_member_may_have_at_most_five_active_loans()
    {
        var book = await factory.NewBookAsync(10);
        using var member = await factory.NewMemberAsync();
        for (var i = 0; i < 5; i++)
        {
            await BorrowAsync(member, book);
        }

        var sixth = await member.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()));
        Assert.Equal(HttpStatusCode.Conflict, sixth.StatusCode);
        Assert.Contains("At most 5", await sixth.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(5, (await factory.WithDbAsync(db => db.Books.FirstAsync(b => b.Id == book.Id))).AvailableCopies);
    }

    [Fact]
    public async Task A_loan_is_visible_to_its_owner_and_admins_only()
    {
        var book = await factory.NewBookAsync(1);
        using var owner = await factory.NewMemberAsync();
        using var other = await factory.NewMemberAsync();
        using var admin = await factory.AdminAsync();
        var loan = await BorrowAsync(owner, book);
        Assert.Equal(HttpStatusCode.OK, (await owner.GetAsync($"/api/loans/{loan.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync($"/api/loans/{loan.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.GetAsync($"/api/loans/{loan.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.GetAsync($"/api/loans/{ObjectId.GenerateNewId()}")).StatusCode);
    }

    [Fact]
    public async Task Returning_gives_the_copy_back_once_and_only_the_owner_or_staff_may()
    {
        var book = await factory.NewBookAsync(1);
        using var owner = await factory.NewMemberAsync();
        using var other = await factory.NewMemberAsync();
        var loan = await BorrowAsync(owner, book);
        Assert.Equal(HttpStatusCode.Forbidden, (await other.PostAsync($"/api/loans/{loan.Id}/return", null)).StatusCode);
        var returned = await owner.PostAsync($"/api/loans/{loan.Id}/return", null);
        Assert.Equal(HttpStatusCode.OK, returned.StatusCode);
        var view = (await returned.Content.ReadFromJsonAsync<LoanView>(Json.Options))!;
        Assert.NotNull(view.ReturnedAt);
        Assert.Equal(0m, view.Fine);
        Assert.Equal(1, (await factory.WithDbAsync(db => db.Books.FirstAsync(b => b.Id == book.Id))).AvailableCopies);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.PostAsync($"/api/loans/{loan.Id}/return", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsync($"/api/loans/{ObjectId.GenerateNewId()}/return", null)).StatusCode);
    }

    [Fact]
    public async Task Overdue_loans_show_their_fine_without_writing_and_returning_charges_it()
    {
        var book = await factory.NewBookAsync(1);
        using var member = await factory.NewMemberAsync();
        var loan = await BorrowAsync(member, book);
        var loanId = ObjectId.Parse(loan.Id);
        // Three days late.
        await factory.WithDbAsync(db => db.Loans.Where(l => l.Id == loanId)
            .ExecuteUpdateAsync(s => s.SetProperty(l => l.DueAt, DateTime.UtcNow.AddDays(-3).AddMinutes(-1))));

        using var librarian = await factory.LibrarianAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/loans/overdue")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/loans/active")).StatusCode);
        List<LoanView>? overdue = null;
        await Wait.UntilAsync(async () =>
        {
            overdue = await librarian.GetFromJsonAsync<List<LoanView>>("/api/loans/overdue", Json.Options);
            return overdue!.Any(l => l.Id == loan.Id);
        }, "the overdue loan reaches the secondaries");
        var shown = overdue!.Single(l => l.Id == loan.Id);
        Assert.True(shown.Overdue);
        Assert.Equal(1.50m, shown.Fine);
        Assert.Equal(0m, (await factory.WithDbAsync(db => db.Loans.FirstAsync(l => l.Id == loanId))).Fine);   // the GET wrote nothing
        var active = await librarian.GetFromJsonAsync<List<LoanView>>("/api/loans/active", Json.Options);
        Assert.All(active!, l => Assert.Null(l.ReturnedAt));

        var returned =
            await (await member.PostAsync($"/api/loans/{loan.Id}/return", null)).Content.ReadFromJsonAsync<LoanView>(Json.Options);
        Assert.Equal(1.50m, returned!.Fine);
        Assert.Equal(1.50m, (await factory.WithDbAsync(db => db.Loans.FirstAsync(l => l.Id == loanId))).Fine);
    }
}
