using System.Security.Claims;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Tests.Compatibility;

/// <summary>An application's context as the Identity and Data Protection templates write it, unchanged.</summary>
public class IdentityAppContext(DbContextOptions<IdentityAppContext> options)
    : IdentityDbContext<IdentityUser>(options), IDataProtectionKeyContext
{
    public DbSet<DataProtectionKey> DataProtectionKeys { get; set; } = null!;
}

/// <summary>
/// ASP.NET Core Identity's EF Core stores and Data Protection's EF Core key store, wired exactly as an application wires
/// them, on the test backend: what a user of the provider gets when moving an app onto it.
/// </summary>
public sealed class IdentityTests : IAsyncLifetime
{
    private readonly string _database = Backend.UniqueDatabaseName("identity");

    private Backend _backend = null!;

    public async Task InitializeAsync()
    {
        _backend = await TestBackend.GetAsync();
        await using var provider = BuildServices();
        await using var scope = provider.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<IdentityAppContext>().Database.EnsureCreatedAsync();
    }

    public async Task DisposeAsync() => await _backend.CreateClient().DropDatabaseAsync(_database);

    private ServiceProvider BuildServices()
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddDbContext<IdentityAppContext>(o => o.UseTabernacle(_backend.ConnectionString, _database));
        services.AddIdentityCore<IdentityUser>(o => o.Lockout.MaxFailedAccessAttempts = 2)
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<IdentityAppContext>()
            .AddDefaultTokenProviders();
        services.AddDataProtection().SetApplicationName("identity-tests").PersistKeysToDbContext<IdentityAppContext>();
        return services.BuildServiceProvider(validateScopes: true);
    }

    private IMongoDatabase RawDatabase => _backend.CreateClient().GetDatabase(_database);

    private static void Succeeded(IdentityResult result) =>
        Assert.True(result.Succeeded, string.Join("; ", result.Errors.Select(e => $"{e.Code}: {e.Description}")));

    [Fact]
    public async Task Users_are_created_found_by_normalised_name_and_e_mail_and_deleted()
    {
        await using var provider = BuildServices();
        await using (var scope = provider.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            Succeeded(await users.CreateAsync(new IdentityUser("alice") { Email = "alice@example.org" }, "Pa55word!"));
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var alice = await users.FindByNameAsync("ALICE");
            Assert.NotNull(alice);
            Assert.Equal(alice.Id, (await users.FindByEmailAsync("Alice@Example.org"))?.Id);
            Assert.True(await users.CheckPasswordAsync(alice, "Pa55word!"));
            Succeeded(await users.DeleteAsync(alice));
            Assert.Null(await users.FindByNameAsync("alice"));
        }
    }

    [Fact]
    public async Task A_duplicate_user_name_is_refused_by_identity_and_by_the_unique_index()
    {
        await using var provider = BuildServices();
        await using var scope = provider.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        Succeeded(await users.CreateAsync(new IdentityUser("bob")));
        var second = await users.CreateAsync(new IdentityUser("BOB"));
        Assert.Contains(second.Errors, e => e.Code == "DuplicateUserName");

        // Identity checks before it saves; two processes can both pass that check, so the server must refuse the second.
        var raw = RawDatabase.GetCollection<BsonDocument>(CollectionOf<IdentityUser>(scope));
        var indexes = await (await raw.Indexes.ListAsync()).ToListAsync();
        Assert.Contains(indexes, i =>
            i.GetValue("unique", false).ToBoolean() && i["key"].AsBsonDocument.Names.Single() == "NormalizedUserName");
        Assert.Contains(indexes, i =>
            !i.GetValue("unique", false).ToBoolean() && i["key"].AsBsonDocument.Names.Single() == "NormalizedEmail");
        var roleIndexes =
            await (await RawDatabase.GetCollection<BsonDocument>(CollectionOf<IdentityRole>(scope)).Indexes.ListAsync()).ToListAsync();
        Assert.Contains(roleIndexes, i =>
            i.GetValue("unique", false).ToBoolean() && i["key"].AsBsonDocument.Names.Single() == "NormalizedName");
        await using var other = provider.CreateAsyncScope();
        var db = other.ServiceProvider.GetRequiredService<IdentityAppContext>();
        db.Users.Add(new IdentityUser("bob") { NormalizedUserName = "BOB" });
        await Assert.ThrowsAsync<DbUpdateException>(() => db.SaveChangesAsync());
    }

    [Fact]
    public async Task A_user_gets_several_claims_each_with_its_own_generated_id()
    {
        await using var provider = BuildServices();
        string id;
        await using (var scope = provider.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var carol = new IdentityUser("carol");
            Succeeded(await users.CreateAsync(carol));
            id = carol.Id;
            Succeeded(await users.AddClaimAsync(carol, new Claim("dept", "sales")));
            Succeeded(await users.AddClaimAsync(carol, new Claim("level", "3")));
            Succeeded(await users.AddClaimsAsync(carol, [new Claim("a", "1"), new Claim("b", "2")]));
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var carol = await users.FindByIdAsync(id);
            var claims = await users.GetClaimsAsync(carol!);
            Assert.Equal(["a", "b", "dept", "level"], claims.Select(c => c.Type).Order());
            Succeeded(await users.ReplaceClaimAsync(carol!, claims.Single(c => c.Type == "level"), new Claim("level", "4")));
            Succeeded(await users.RemoveClaimAsync(carol!, claims.Single(c => c.Type == "a")));
            Assert.Single(await users.GetUsersForClaimAsync(new Claim("level", "4")));
            var db = scope.ServiceProvider.GetRequiredService<IdentityAppContext>();
            var ids = await db.UserClaims.Select(c => c.Id).ToListAsync();
            Assert.Equal(3, ids.Distinct().Count());
            Assert.DoesNotContain(0, ids);
        }
    }

    [Fact]
    public async Task Roles_and_role_claims_and_membership()
    {
        await using var provider = BuildServices();
        await using var scope = provider.CreateAsyncScope();
        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        Succeeded(await roles.CreateAsync(new IdentityRole("admin")));
        Succeeded(await roles.CreateAsync(new IdentityRole("reader")));
        Assert.Contains((await roles.CreateAsync(new IdentityRole("ADMIN"))).Errors, e => e.Code == "DuplicateRoleName");
        var admin = (await roles.FindByNameAsync("admin"))!;
        Succeeded(await roles.AddClaimAsync(admin, new Claim("perm", "all")));
        Succeeded(await roles.AddClaimAsync(admin, new Claim("perm", "more")));
        Assert.Equal(2, (await roles.GetClaimsAsync(admin)).Count);

        var dave = new IdentityUser("dave");
        Succeeded(await users.CreateAsync(dave));
        Succeeded(await users.AddToRolesAsync(dave, ["admin", "reader"]));
        Assert.True(await users.IsInRoleAsync(dave, "admin"));
        Assert.Equal(["admin", "reader"], (await users.GetRolesAsync(dave)).Order());
        Assert.Single(await users.GetUsersInRoleAsync("reader"));
        Succeeded(await users.RemoveFromRoleAsync(dave, "reader"));
        Assert.Equal(["admin"], await users.GetRolesAsync(dave));
        Succeeded(await roles.DeleteAsync(admin));
        Assert.Null(await roles.FindByNameAsync("admin"));
    }

    [Fact]
    public async Task External_logins_and_authentication_tokens_use_composite_keys()
    {
        await using var provider = BuildServices();
        string id;
        await using (var scope = provider.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            var erin = new IdentityUser("erin");
            Succeeded(await users.CreateAsync(erin));
            id = erin.Id;
            Succeeded(await users.AddLoginAsync(erin, new UserLoginInfo("github", "e-123", "GitHub")));
            Succeeded(await users.AddLoginAsync(erin, new UserLoginInfo("google", "e-456", "Google")));
            Succeeded(await users.SetAuthenticationTokenAsync(erin, "github", "access", "t1"));
            Succeeded(await users.SetAuthenticationTokenAsync(erin, "github", "refresh", "r1"));
            Succeeded(await users.SetAuthenticationTokenAsync(erin, "github", "access", "t2"));
        }

        await using (var scope = provider.CreateAsyncScope())
        {
            var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
            Assert.Equal(id, (await users.FindByLoginAsync("github", "e-123"))?.Id);
            var erin = (await users.FindByIdAsync(id))!;
            Assert.Equal(["github", "google"], (await users.GetLoginsAsync(erin)).Select(l => l.LoginProvider).Order());
            Assert.Equal("t2", await users.GetAuthenticationTokenAsync(erin, "github", "access"));
            Succeeded(await users.RemoveLoginAsync(erin, "github", "e-123"));
            Succeeded(await users.RemoveAuthenticationTokenAsync(erin, "github", "refresh"));
            Assert.Null(await users.FindByLoginAsync("github", "e-123"));
            Assert.Null(await users.GetAuthenticationTokenAsync(erin, "github", "refresh"));
        }

        // The composite key is the document's _id, as a document of its parts.
        var login = await RawDatabase.GetCollection<BsonDocument>(LoginCollection(provider))
            .Find(FilterDefinition<BsonDocument>.Empty).SingleAsync();
        Assert.Equal(BsonType.Document, login["_id"].BsonType);
    }

    [Fact]
    public async Task Tokens_confirm_e_mail_and_reset_passwords()
    {
        await using var provider = BuildServices();
        await using var scope = provider.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var fay = new IdentityUser("fay") { Email = "fay@example.org" };
        Succeeded(await users.CreateAsync(fay, "Old-pa55word"));
        var confirm = await users.GenerateEmailConfirmationTokenAsync(fay);
        Succeeded(await users.ConfirmEmailAsync(fay, confirm));
        var reset = await users.GeneratePasswordResetTokenAsync(fay);
        Succeeded(await users.ResetPasswordAsync(fay, reset, "New-pa55word"));
        Assert.False((await users.ResetPasswordAsync(fay, reset, "Third-pa55word")).Succeeded);
        Assert.True(await users.CheckPasswordAsync((await users.FindByNameAsync("fay"))!, "New-pa55word"));
    }

    [Fact]
    public async Task Failed_attempts_lock_the_user_out()
    {
        await using var provider = BuildServices();
        await using var scope = provider.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var gus = new IdentityUser("gus");
        Succeeded(await users.CreateAsync(gus));
        Succeeded(await users.AccessFailedAsync(gus));
        Assert.False(await users.IsLockedOutAsync(gus));
        Succeeded(await users.AccessFailedAsync(gus));
        await using var other = provider.CreateAsyncScope();
        var reread = await other.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().FindByNameAsync("gus");
        Assert.True(await users.IsLockedOutAsync(reread!));
        Assert.True(reread!.LockoutEnd > DateTimeOffset.UtcNow);
    }

    [Fact]
    public async Task A_stale_concurrency_stamp_is_a_concurrency_failure()
    {
        await using var provider = BuildServices();
        string id;
        await using (var scope = provider.CreateAsyncScope())
        {
            var hal = new IdentityUser("hal");
            Succeeded(await scope.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>().CreateAsync(hal));
            id = hal.Id;
        }

        await using var first = provider.CreateAsyncScope();
        await using var second = provider.CreateAsyncScope();
        var firstUsers = first.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var secondUsers = second.ServiceProvider.GetRequiredService<UserManager<IdentityUser>>();
        var a = (await firstUsers.FindByIdAsync(id))!;
        var b = (await secondUsers.FindByIdAsync(id))!;
        Succeeded(await firstUsers.SetPhoneNumberAsync(a, "111"));
        var stale = await secondUsers.SetPhoneNumberAsync(b, "222");
        Assert.Contains(stale.Errors, e => e.Code == nameof(IdentityErrorDescriber.ConcurrencyFailure));
    }

    [Fact]
    public async Task Data_protection_keys_are_read_back_by_a_new_service_provider()
    {
        string protectedText;
        await using (var provider = BuildServices())
        {
            protectedText = provider.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Protect("secret");
        }

        await using (var scope = BuildServices().CreateAsyncScope())
        {
            Assert.NotEmpty(await scope.ServiceProvider.GetRequiredService<IdentityAppContext>().DataProtectionKeys.ToListAsync());
        }

        await using var fresh = BuildServices();
        Assert.Equal("secret", fresh.GetRequiredService<IDataProtectionProvider>().CreateProtector("test").Unprotect(protectedText));
    }

    private static string CollectionOf<T>(AsyncServiceScope scope)
    {
        var entity = scope.ServiceProvider.GetRequiredService<IdentityAppContext>().Model.FindEntityType(typeof(T))!;
        return entity.GetCollectionName();
    }

    private static string LoginCollection(ServiceProvider provider)
    {
        using var scope = provider.CreateScope();
        var entity =
            scope.ServiceProvider.GetRequiredService<IdentityAppContext>().Model.FindEntityType(typeof(IdentityUserLogin<string>))!;
        return entity.GetCollectionName();
    }
}
