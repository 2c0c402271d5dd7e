using System.Net;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using MongoDB.Bson;
using Tabernacle.EfCore.Extensions;
using Microsoft.Extensions.DependencyInjection;

namespace LibraryManagement.Tests;

public sealed class ReservationEndpointTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    [Fact]
    public async Task Reserve_list_and_cancel_with_400_403_404_and_409()
    {
        var book = await factory.NewBookAsync(1);
        using var owner = await factory.NewMemberAsync();
        using var other = await factory.NewMemberAsync();
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await anonymous.PostAsJsonAsync("/api/reservations", new ReservationRequest(book.Id.ToString()))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest,
            (await owner.PostAsJsonAsync("/api/reservations", new ReservationRequest(null))).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound,
            (await owner.PostAsJsonAsync("/api/reservations", new ReservationRequest(ObjectId.GenerateNewId().ToString()))).StatusCode);

        var created = await owner.PostAsJsonAsync("/api/reservations", new ReservationRequest(book.Id.ToString()));
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var reservation = (await created.Content.ReadFromJsonAsync<Reservation>(Json.Options))!;
        Assert.Equal("active", reservation.Status);
        Assert.Equal(HttpStatusCode.Conflict,
            (await owner.PostAsJsonAsync("/api/reservations", new ReservationRequest(book.Id.ToString()))).StatusCode);
        Assert.Equal(reservation.Id,
            Assert.Single((await owner.GetFromJsonAsync<List<Reservation>>("/api/reservations/mine", Json.Options))!).Id);
        Assert.Empty((await other.GetFromJsonAsync<List<Reservation>>("/api/reservations/mine", Json.Options))!);

        Assert.Equal(HttpStatusCode.Forbidden, (await other.DeleteAsync($"/api/reservations/{reservation.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await owner.DeleteAsync($"/api/reservations/{reservation.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await owner.DeleteAsync($"/api/reservations/{reservation.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.DeleteAsync($"/api/reservations/{ObjectId.GenerateNewId()}")).StatusCode);
    }
}

public sealed class StatsEndpointTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    [Fact]
    public async Task Stats_total_the_catalogue_rank_borrowed_books_and_group_by_category_on_a_secondary()
    {
        var hobbit = await factory.BookAsync("The Hobbit");
        using (var member = await factory.NewMemberAsync())
        {
            Assert.Equal(HttpStatusCode.Created,
                (await member.PostAsJsonAsync("/api/loans", new BorrowRequest(hobbit.Id.ToString()))).StatusCode);
        }

        var monitor = factory.Services.GetRequiredService<IReplicaSetMonitor>();
        var before = (await monitor.RefreshAsync()).ReadsByReadPreference.GetValueOrDefault("Secondary");
        using var client = factory.CreateClient();
        Stats? stats = null;
        await Wait.UntilAsync(async () =>
        {
            stats = await client.GetFromJsonAsync<Stats>("/api/stats", Json.Options);
            return stats!.ActiveLoans == 1;   // the secondaries have the loan
        }, "the loan reaches the secondaries");
        Assert.Equal(7, stats!.Books);
        Assert.Equal(17, stats.Copies);
        Assert.Equal(16, stats.AvailableCopies);
        Assert.True(stats.Users >= 4);
        Assert.Equal("The Hobbit", Assert.Single(stats.MostBorrowed).Title);
        var fantasy = stats.ByCategory.Single(c => c.Category == "Fantasy");
        Assert.Equal((3, 9, 1), (fantasy.Books, fantasy.Copies, fantasy.TimesBorrowed));
        Assert.Equal(7, stats.ByCategory.Sum(c => c.Books));
        Assert.True((await monitor.RefreshAsync()).ReadsByReadPreference.GetValueOrDefault("Secondary") > before,
            "stats read with the secondary read preference");
    }
}
