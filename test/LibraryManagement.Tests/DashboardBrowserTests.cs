using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace LibraryManagement.Tests;

/// <summary>
/// The dashboard in a real browser: Debian's Chromium (<c>apt-get install -y chromium</c>; <c>.ci/run</c> installs it)
/// driven by Playwright, against the app on Kestrel with its embedded emulator. The test presses the step-down button,
/// which steers the members, so it runs on the embedded emulator whatever the backend.
/// </summary>
public sealed class DashboardBrowserTests : IAsyncLifetime
{
    private const string Chromium = "/usr/bin/chromium";
    private EmbeddedEmulatorLibraryFactory _factory = null!;
    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;
    private string _baseUrl = "";

    public async Task InitializeAsync()
    {
        Assert.True(File.Exists(Chromium),
            $"{Chromium} is missing: install Debian's Chromium with `apt-get install -y chromium` (.ci/run does).");
        _factory = new EmbeddedEmulatorLibraryFactory();
        _factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        _baseUrl = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--no-first-run"],
        });
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.DisposeAsync();
        }

        _playwright?.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_member_who_signs_in_sees_no_failover_controls()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(_baseUrl + "/");
        await page.Locator("#login-user").FillAsync(Seed.MemberUser);
        await page.Locator("#login-password").FillAsync(Seed.MemberPassword);
        await page.Locator("#login-button").ClickAsync();
        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync(Seed.MemberUser, new() { Timeout = 10_000 });
        await Assertions.Expect(page.Locator("#step-down")).ToBeHiddenAsync();
        await Assertions.Expect(page.Locator("#controls-note")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task The_dashboard_shows_three_members_and_a_new_primary_after_step_down()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(_baseUrl + "/");
        var rows = page.Locator("#members tr");
        await Assertions.Expect(rows).ToHaveCountAsync(3, new() { Timeout = 20_000 });
        var primaryRow = page.Locator("#members tr[data-role=Primary]");
        await Assertions.Expect(primaryRow).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Assertions.Expect(page.Locator("#members tr[data-role=Secondary]")).ToHaveCountAsync(2);
        var oldPrimary = await primaryRow.GetAttributeAsync("data-member");
        Assert.False(string.IsNullOrEmpty(oldPrimary));

        // Anonymous visitors see no controls; an admin who signs in does.
        var stepDown = page.Locator("#step-down");
        await Assertions.Expect(page.Locator("#sign-in")).ToBeVisibleAsync(new() { Timeout = 10_000 });
        await Assertions.Expect(stepDown).ToBeHiddenAsync();
        await page.Locator("#login-user").FillAsync(Seed.AdminUser);
        await page.Locator("#login-password").FillAsync(Seed.AdminPassword);
        await page.Locator("#login-button").ClickAsync();
        await Assertions.Expect(page.Locator("#whoami")).ToContainTextAsync("admin", new() { Timeout = 10_000 });
        await Assertions.Expect(stepDown).ToBeVisibleAsync();
        await Assertions.Expect(stepDown).ToBeEnabledAsync(new() { Timeout = 10_000 });
        await stepDown.ClickAsync();

        await page.WaitForFunctionAsync(
            "old => { const r = document.querySelector('#members tr[data-role=Primary]'); return r !== null && r.dataset.member !== old; }",
            oldPrimary,
            new() { Timeout = 20_000 });
        var newPrimary = await page.Locator("#members tr[data-role=Primary]").GetAttributeAsync("data-member");
        Assert.NotEqual(oldPrimary, newPrimary);
        await Assertions.Expect(page.Locator("#primary")).ToHaveTextAsync(newPrimary!);
        await Assertions.Expect(rows).ToHaveCountAsync(3);
    }

    [Fact]
    public async Task A_borrow_made_through_the_API_appears_in_the_live_activity_without_a_reload()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(_baseUrl + "/");
        await Assertions.Expect(page.Locator("#members tr")).ToHaveCountAsync(3, new() { Timeout = 20_000 });

        var book = await _factory.NewBookAsync(1);
        using var member = await _factory.NewMemberAsync();
        var borrowed = await System.Net.Http.Json.HttpClientJsonExtensions.PostAsJsonAsync(
            member, "/api/loans", new LibraryManagement.Endpoints.BorrowRequest(book.Id.ToString()));
        Assert.Equal(HttpStatusCode.Created, borrowed.StatusCode);

        var entry = page.Locator($"#activity li[data-kind=borrow][data-book='{book.Id}']");
        await Assertions.Expect(entry).ToHaveCountAsync(1, new() { Timeout = 20_000 });
        await Assertions.Expect(entry).ToContainTextAsync(book.Title);
    }
}
