using System.Collections.Concurrent;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>The fail points of one member, by name. Only the names the emulator implements can be configured.</summary>
internal sealed class FailPointRegistry
{
    public const string FailCommand = "failCommand";
    public const string StopReplProducer = "stopReplProducer";
    public const string OnPrimaryTransactionalWrite = "onPrimaryTransactionalWrite";

    private static readonly string[] Known = [FailCommand, StopReplProducer, OnPrimaryTransactionalWrite];
    private readonly ConcurrentDictionary<string, FailPoint> _failPoints = new(StringComparer.Ordinal);

    public FailPointRegistry()
    {
        foreach (var name in Known)
        {
            _failPoints[name] = new FailPoint(name);
        }
    }

    public static IReadOnlyList<string> Names => Known;

    public FailPoint? Find(string name) => _failPoints.GetValueOrDefault(name);

    public FailPoint Get(string name) => _failPoints[name];
}
