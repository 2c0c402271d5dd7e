using MongoDB.Driver;

namespace Tabernacle.EfCore.Infrastructure.Internal;

/// <summary>Parsing and describing connection strings without ever echoing their credentials.</summary>
internal static class ConnectionStrings
{
    /// <summary>Parses <paramref name="connectionString"/> with the driver; a parse failure says what is wrong without repeating the string
    /// (it may hold a password).</summary>
    public static MongoUrl Parse(string connectionString)
    {
        try
        {
            return new MongoUrl(connectionString);
        }
        catch (Exception ex) when (ex is MongoConfigurationException or ArgumentException or FormatException)
        {
            throw new ArgumentException(
                $"The MongoDB connection string could not be parsed: {Redact(ex.Message, connectionString)} It must look like " +
                    $"'mongodb://host1:27017,host2:27017/database?replicaSet=rs0'.",
                nameof(connectionString));
        }
    }

    /// <summary>The hosts of a connection string, for logs: never the user name or password.</summary>
    public static string RedactedServers(string connectionString)
    {
        try
        {
            return string.Join(",", new MongoUrl(connectionString).Servers.Select(s => $"{s.Host}:{s.Port}"));
        }
        catch (Exception ex) when (ex is MongoConfigurationException or ArgumentException or FormatException)
        {
            return "(unparsable)";
        }
    }

    /// <summary>Removes the connection string's password (and the whole string) from a message.</summary>
    public static string Redact(string message, string? connectionString)
    {
        if (string.IsNullOrEmpty(connectionString))
        {
            return message;
        }

        var redacted = message.Replace(connectionString, "<connection string>", StringComparison.Ordinal);
        var password = PasswordOf(connectionString);
        return string.IsNullOrEmpty(password) ? redacted : redacted.Replace(password, "*****", StringComparison.Ordinal);
    }

    /// <summary>
    /// A one-line description of a failed operation for logs and exception messages, with the connection string and its
    /// password removed. An authentication failure says so plainly, with the server's code name (<c>AuthenticationFailed</c>),
    /// instead of the driver's "Unable to authenticate using sasl protocol mechanism ..." with the reason hidden in an inner exception.
    /// </summary>
    public static string DescribeFailure(Exception exception, string? connectionString)
    {
        var authentication = Find<MongoAuthenticationException>(exception);
        if (authentication is null)
        {
            return Redact(WithoutDuplicateKeyValues(exception.Message), connectionString);
        }

        var server = Find<MongoCommandException>(authentication);
        var reason = server is null
            ? ""
            : $" The server answered {server.CodeName} ({server.Code}): {server.ErrorMessage.TrimEnd('.')}.";
        return Redact(
            $"Authentication failed: {authentication.Message}{reason} Check the user name, password and authSource of the connection " +
                $"string (or MongoClientSettings.Credential).",
            connectionString);
    }

    /// <summary>
    /// The server's E11000 message without the duplicate value (<c>dup key: { email: "a@b.c" }</c> becomes
    /// <c>dup key: { … }</c>): unique keys are often user names or e-mail addresses, which logs must not carry.
    /// </summary>
    public static string WithoutDuplicateKeyValues(string message) =>
        message.Contains("dup key", StringComparison.Ordinal)
            ? System.Text.RegularExpressions.Regex.Replace(message, @"dup key: \{(?:[^{}]|\{[^{}]*\})*\}", "dup key: { … }")
            : message;

    private static T? Find<T>(Exception exception)
        where T : Exception
    {
        for (Exception? e = exception; e is not null; e = e.InnerException)
        {
            if (e is T found)
            {
                return found;
            }
        }

        return null;
    }

    private static string? PasswordOf(string connectionString)
    {
        var scheme = connectionString.IndexOf("://", StringComparison.Ordinal);
        var at = connectionString.LastIndexOf('@');
        if (scheme < 0 || at < scheme)
        {
            return null;
        }

        var userInfo = connectionString[(scheme + 3)..at];
        var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return null;
        }

        var raw = userInfo[(colon + 1)..];
        return raw.Length == 0 ? null : Uri.UnescapeDataString(raw);
    }
}
