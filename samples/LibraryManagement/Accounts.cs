using System.Globalization;
using Microsoft.AspNetCore.Identity;

namespace LibraryManagement;

/// <summary>The rules Identity applies to the library's accounts, on top of its own.</summary>
public static class Accounts
{
    public const int MinUserNameLength = 3;
    public const int MaxUserNameLength = 40;
    public const int MinPasswordLength = 8;

    /// <summary>Longer passwords are refused before any hashing: a 10 MB password would cost every login half a second.</summary>
    public const int MaxPasswordLength = 128;

    public const int MaxEmailLength = 254;

    /// <summary>ASCII letters, digits and <c>-._</c>: no spaces, no look-alike letters from other scripts, no controls.</summary>
    public const string UserNameCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._";

    public static IdentityBuilder AddLibraryIdentity(this IServiceCollection services) =>
        services.AddIdentityCore<User>(o =>
            {
                o.User.RequireUniqueEmail = true;
                o.User.AllowedUserNameCharacters = UserNameCharacters;
                o.Password.RequiredLength = MinPasswordLength;
                o.Password.RequireDigit = false;
                o.Password.RequireLowercase = false;
                o.Password.RequireUppercase = false;
                o.Password.RequireNonAlphanumeric = false;
                o.Lockout.AllowedForNewUsers = true;
                o.Lockout.MaxFailedAccessAttempts = 5;
                o.Lockout.DefaultLockoutTimeSpan = TimeSpan.FromMinutes(5);
            })
            .AddRoles<IdentityRole>()
            .AddEntityFrameworkStores<LibraryContext>()
            .AddUserValidator<UserRules>()
            .AddPasswordValidator<PasswordLengthCap>();

    /// <summary>The role shown for a user with several: the most powerful.</summary>
    public static string MainRole(IList<string> roles) =>
        roles.Contains(Roles.Admin) ? Roles.Admin : roles.Contains(Roles.Librarian) ? Roles.Librarian : Roles.Member;

    /// <summary>Control, format (zero-width, bidi overrides and isolates) and unassigned or surrogate code points.</summary>
    public static bool HasInvisibleCharacters(string text) => text.Any(c => CharUnicodeInfo.GetUnicodeCategory(c) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.OtherNotAssigned
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse);
}

/// <summary>
/// User-name and e-mail rules Identity's defaults lack: a length range, and a clear refusal (never a silent trim) of
/// surrounding white space and of invisible characters.
/// </summary>
internal sealed class UserRules : IUserValidator<User>
{
    public Task<IdentityResult> ValidateAsync(UserManager<User> manager, User user)
    {
        var errors = new List<IdentityError>();
        var name = user.UserName ?? "";
        if (name.Length is < Accounts.MinUserNameLength or > Accounts.MaxUserNameLength)
        {
            errors.Add(new()
            {
                Code = "UserNameLength",
                Description = $"A user name has {Accounts.MinUserNameLength} to {Accounts.MaxUserNameLength} characters.",
            });
        }

        if (name.Trim() != name)
        {
            errors.Add(new() { Code = "UserNameWhiteSpace", Description = "A user name cannot start or end with white space; remove it." });
        }

        if (Accounts.HasInvisibleCharacters(name))
        {
            errors.Add(new()
            {
                Code = "UserNameInvisible",
                Description = "A user name cannot contain control, format or bidirectional characters.",
            });
        }

        var email = user.Email ?? "";
        if (email.Length > Accounts.MaxEmailLength || email.Trim() != email || Accounts.HasInvisibleCharacters(email))
        {
            errors.Add(new()
            {
                Code = "InvalidEmail",
                Description = $"An e-mail address has at most {Accounts.MaxEmailLength} visible characters and no surrounding white space.",
            });
        }

        return Task.FromResult(errors.Count == 0 ? IdentityResult.Success : IdentityResult.Failed([.. errors]));
    }
}

/// <summary>Caps the password length (Identity only sets a minimum).</summary>
internal sealed class PasswordLengthCap : IPasswordValidator<User>
{
    public Task<IdentityResult> ValidateAsync(UserManager<User> manager, User user, string? password) =>
        Task.FromResult(password is { Length: > Accounts.MaxPasswordLength }
            ? IdentityResult.Failed(new IdentityError
            {
                Code = "PasswordTooLong",
                Description = $"A password has at most {Accounts.MaxPasswordLength} characters.",
            })
            : IdentityResult.Success);
}

/// <summary>
/// Checks credentials so that an unknown user name costs what a wrong password costs (one hash), and a locked-out
/// account is refused; counts failures towards Identity's lockout.
/// </summary>
internal sealed class CredentialChecker(UserManager<User> users, IPasswordHasher<User> hasher)
{
    private static readonly User Nobody = new() { UserName = "nobody" };
    private static string? _dummyHash;

    public async Task<(User? User, DateTimeOffset? LockedOutUntil)> CheckAsync(string userName, string password)
    {
        var user = await users.FindByNameAsync(userName);
        if (user is null)
        {
            _dummyHash ??= hasher.HashPassword(Nobody, "not a password anybody has");
            hasher.VerifyHashedPassword(Nobody, _dummyHash, password);
            return (null, null);
        }

        if (await users.IsLockedOutAsync(user))
        {
            hasher.VerifyHashedPassword(user, user.PasswordHash ?? _dummyHash ?? "", password);
            return (null, user.LockoutEnd);
        }

        if (!await users.CheckPasswordAsync(user, password))
        {
            await users.AccessFailedAsync(user);
            return (null, null);
        }

        if (user.AccessFailedCount > 0)
        {
            await users.ResetAccessFailedCountAsync(user);
        }

        return (user, null);
    }
}
