using Tabernacle.MongoEmulator.Commands;

namespace Tabernacle.MongoEmulator.Security;

/// <summary>Which commands a connection may run before it authenticates, when authentication is on.</summary>
internal static class AuthenticationPolicy
{
    // mongod's commands with requiresAuth() == false that the emulator implements: the handshake, liveness and
    // version probes, and the authentication commands themselves. Everything else (configureFailPoint and
    // endSessions included) needs an authenticated connection.
    private static readonly HashSet<string> Unauthenticated = new(StringComparer.Ordinal)
    {
        "hello", "isMaster", "ismaster", "ping", "buildInfo", "buildinfo",
        "saslStart", "saslContinue", "authenticate", "logout", "connectionStatus",
    };

    public static bool AllowsUnauthenticated(ICommandHandler handler, string commandName) =>
        Unauthenticated.Contains(commandName) && handler.Names.Any(Unauthenticated.Contains);
}
