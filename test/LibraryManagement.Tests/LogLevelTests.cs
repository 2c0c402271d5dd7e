using System.Net;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using Microsoft.Extensions.Logging;

namespace LibraryManagement.Tests;

/// <summary>Ordinary contention is not an error in the logs, and duplicate keys never put their values there.</summary>
public sealed class LogLevelTests(LibraryFactory factory) : IClassFixture<LibraryFactory>
{
    [Fact]
    public async Task Concurrent_borrows_log_their_retried_write_conflicts_below_warning()
    {
        var book = await factory.NewBookAsync(3);
        var members = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => factory.NewMemberAsync()));
        factory.Logs.Entries.Clear();
        using var start = new SemaphoreSlim(0);
        var borrows = members.Select(async m =>
        {
            await start.WaitAsync();
            return (await m.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()))).StatusCode;
        }).ToList();
        start.Release(members.Length);
        var statuses = await Task.WhenAll(borrows);
        Assert.Equal(3, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.Conflict, s.ToString()));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
        foreach (var member in members)
        {
            member.Dispose();
        }
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_name_log_no_user_name_or_e_mail()
    {
        var name = $"dup{Guid.NewGuid():N}"[..14];
        var email = $"{name}@secret.example";
        factory.Logs.Entries.Clear();
        using var start = new SemaphoreSlim(0);
        var registrations = Enumerable.Range(0, 6).Select(async _ =>
        {
            using var client = factory.CreateClient();
            await start.WaitAsync();
            var response = await client.PostAsJsonAsync("/api/auth/register", new RegisterRequest(name, email, "long-enough-password"));
            return response.StatusCode;
        }).ToList();
        start.Release(6);
        var statuses = await Task.WhenAll(registrations);
        Assert.Equal(1, statuses.Count(s => s == HttpStatusCode.Created));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Created or HttpStatusCode.Conflict, s.ToString()));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Message.Contains(name, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(factory.Logs.Entries, e => e.Level >= LogLevel.Error);
    }
}
