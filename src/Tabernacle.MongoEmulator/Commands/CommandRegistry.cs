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

    public ICommandHandler? Find(string name) =>
        _handlers.TryGetValue(name, out var handler) ? handler
        : string.Equals(name, "ismaster", StringComparison.OrdinalIgnoreCase) ? _handlers.GetValueOrDefault("isMaster")
        : null;
}
