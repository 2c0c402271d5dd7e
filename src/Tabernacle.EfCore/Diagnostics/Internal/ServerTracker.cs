using System.Net;
using MongoDB.Driver.Core.Events;

namespace Tabernacle.EfCore.Diagnostics.Internal;

/// <summary>
/// Learns which server answered each of our commands. The driver raises command events on the flow that runs the
/// command, so an <see cref="AsyncLocal{T}"/> set around each operation receives the endpoint of the server used.
/// </summary>
internal static class ServerTracker
{
    private static readonly AsyncLocal<OperationTrace?> Current = new();

    public static OperationTrace Begin()
    {
        var trace = new OperationTrace();
        Current.Value = trace;
        return trace;
    }

    public static void End() => Current.Value = null;

    /// <summary>Subscribes a client's cluster to command events (for clients the provider creates).</summary>
    public static void Subscribe(MongoDB.Driver.Core.Configuration.ClusterBuilder builder) =>
        builder.Subscribe<CommandStartedEvent>(e =>
        {
            if (Current.Value is { } trace)
            {
                trace.Server = e.ConnectionId?.ServerId?.EndPoint;
            }
        });
}

/// <summary>What one operation learned from the driver's events.</summary>
internal sealed class OperationTrace
{
    public EndPoint? Server { get; set; }

    public string ServerText => Server switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        null => "(unknown)",
        _ => Server.ToString() ?? "(unknown)",
    };
}
