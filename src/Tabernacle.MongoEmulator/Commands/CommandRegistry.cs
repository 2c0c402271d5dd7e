using Tabernacle.MongoEmulator.Security;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>The command handlers by name; shared by every member of a set (handlers are stateless).</summary>
internal sealed class CommandRegistry
{
    private readonly Dictionary<string, ICommandHandler> _handlers = new(StringComparer.Ordinal);

    public CommandRegistry(IEnumerable<ICommandHandler> handlers)
    {
        foreach (var handler in handlers)
        {
            foreach (var name in handler.Names)
            {
                _handlers.Add(name, handler);
            }
        }
    }

    public IEnumerable<string> Names => _handlers.Keys;

    /// <summary>The set's users when authentication is on; <c>null</c> when it is off. The dispatcher's auth gate reads it.</summary>
    public CredentialStore? Credentials { get; init; }

    public ICommandHandler? Find(string name) =>
        _handlers.TryGetValue(name, out var handler) ? handler
        : string.Equals(name, "ismaster", StringComparison.OrdinalIgnoreCase) ? _handlers.GetValueOrDefault("isMaster")
        : null;
}
