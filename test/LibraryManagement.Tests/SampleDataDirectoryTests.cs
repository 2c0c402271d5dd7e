using System.Net;
using System.Net.Http.Json;
using LibraryManagement.Endpoints;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace LibraryManagement.Tests;

/// <summary>The sample on its embedded emulator with a data folder (its default outside tests): a restart keeps the library.</summary>
public sealed class SampleDataDirectoryTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), "library-data-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    [Fact]
    public async Task A_restarted_app_keeps_its_members_books_and_loans_and_does_not_seed_twice()
    {
        var name = $"m{Guid.NewGuid():N}"[..12];
        Book book;
        Tabernacle.MongoEmulator.MongoReplicaSetEmulator? emulator;
        await using (var first = new EmbeddedEmulatorLibraryFactory { DataDirectory = _data })
        {
            await first.InitializeAsync();
            emulator = first.Services.GetRequiredService<LibraryMode>().Emulator;
            using var member = await first.NewMemberAsync(name);
            book = await first.NewBookAsync(2);
            var borrowed = await member.PostAsJsonAsync("/api/loans", new BorrowRequest(book.Id.ToString()));
            Assert.Equal(HttpStatusCode.Created, borrowed.StatusCode);
        }

        Assert.True(File.Exists(Path.Combine(_data, "replset.json")), "the emulator wrote its data folder");

        // The app's emulator still runs after WebApplicationFactory's disposal (its hosted services are not stopped);
        // a real process ends, and the OS drops the folder's lock. Stop it as that would.
        await emulator!.DisposeAsync();

        await using var second = new EmbeddedEmulatorLibraryFactory { DataDirectory = _data };
        await second.InitializeAsync();

        // The member registered before the restart signs in with the same password.
        Assert.False(string.IsNullOrEmpty(await second.TokenAsync(name, "long-enough-password")));
        var (copies, loans, admins) = await second.WithDbAsync(async db => (
            (await db.Books.SingleAsync(b => b.Id == book.Id)).AvailableCopies,
            await db.Loans.CountAsync(l => l.BookId == book.Id),
            await db.Users.CountAsync(u => u.UserName == Seed.AdminUser)));
        Assert.Equal(1, copies);
        Assert.Equal(1, loans);
        Assert.Equal(1, admins);
    }
}
