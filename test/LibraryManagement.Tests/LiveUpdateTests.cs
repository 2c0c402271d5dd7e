using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LibraryManagement.Endpoints;

namespace LibraryManagement.Tests;

/// <summary>
/// The change-feed features of the sample: a return notifies the member first in the reservation queue (through the
/// <c>ReservationNotifier</c> change-feed service), and the activity stream pushes a borrow as a server-sent event.
/// </summary>
public sealed class LiveUpdateTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    private sealed record NotificationView(string Id, string BookId, string Message, DateTime CreatedAt);

    [Fact]
    public async Task Returning_a_copy_notifies_the_first_member_in_the_reservation_queue_only()
    {
        var book = await factory.NewBookAsync(1);
        using var borrower = await factory.NewMemberAsync();
        using var first = await factory.NewMemberAsync();
        using var second = await factory.NewMemberAsync();
        var borrowed = await borrower.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()));
        Assert.Equal(HttpStatusCode.Created, borrowed.StatusCode);
        var loanId = (await borrowed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString();
        var reservation = new ReservationRequest(book.Id.ToString());
        Assert.Equal(HttpStatusCode.Created, (await first.PostAsJsonAsync("/api/reservations", reservation)).StatusCode);
        Assert.Equal(HttpStatusCode.Created, (await second.PostAsJsonAsync("/api/reservations", reservation)).StatusCode);
        Assert.Empty((await first.GetFromJsonAsync<List<NotificationView>>("/api/notifications"))!);

        Assert.Equal(HttpStatusCode.OK, (await borrower.PostAsync($"/api/loans/{loanId}/return", null)).StatusCode);

        List<NotificationView> notifications = [];
        await Wait.UntilAsync(async () =>
        {
            notifications = (await first.GetFromJsonAsync<List<NotificationView>>("/api/notifications"))!;
            return notifications.Count > 0;
        }, "the change-feed service notifies the first member in the queue");
        var notification = Assert.Single(notifications);
        Assert.Equal(book.Id.ToString(), notification.BookId);
        Assert.Contains(book.Title, notification.Message, StringComparison.Ordinal);
        Assert.Empty((await second.GetFromJsonAsync<List<NotificationView>>("/api/notifications"))!);
        Assert.Empty((await borrower.GetFromJsonAsync<List<NotificationView>>("/api/notifications"))!);
        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/notifications")).StatusCode);
    }

    [Fact]
    public async Task The_activity_stream_pushes_a_borrow_as_a_server_sent_event()
    {
        var book = await factory.NewBookAsync(2);
        using var viewer = factory.CreateClient();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var response = await viewer.GetAsync("/api/activity/stream", HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));

        using var member = await factory.NewMemberAsync();
        var borrow = new BorrowRequest(book.Id.ToString());
        Assert.Equal(HttpStatusCode.Created, (await member.PostAsJsonAsync("/api/loans", borrow)).StatusCode);

        while (true)
        {
            var line = await reader.ReadLineAsync(timeout.Token);
            Assert.NotNull(line);
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var activity = JsonDocument.Parse(line["data: ".Length..]).RootElement;
            if (activity.GetProperty("bookId").GetString() == book.Id.ToString() && activity.GetProperty("kind").GetString() == "borrow")
            {
                Assert.Equal(book.Title, activity.GetProperty("title").GetString());
                Assert.False(activity.TryGetProperty("userId", out _));
                break;
            }
        }
    }
}
