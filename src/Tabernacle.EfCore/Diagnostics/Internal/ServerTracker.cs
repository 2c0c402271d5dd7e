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

    private static readonly Action<MongoDB.Driver.Core.Configuration.ClusterBuilder> SubscribeOnly = Subscribe;
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<Action<MongoDB.Driver.Core.Configuration.ClusterBuilder>,
        Action<MongoDB.Driver.Core.Configuration.ClusterBuilder>> Wrapped = new();

    /// <summary>
    /// The cluster configurator that runs <paramref name="user"/>'s and then subscribes the tracker. The same user
    /// configurator always gives the same delegate: client settings compare configurators by reference, so a fresh
    /// closure per context would make every context's settings distinct and create a client per context.
    /// </summary>
    public static Action<MongoDB.Driver.Core.Configuration.ClusterBuilder> Wrap(
        Action<MongoDB.Driver.Core.Configuration.ClusterBuilder>? user) =>
        user is null
            ? SubscribeOnly
            : Wrapped.GetValue(user, u => builder =>
            {
                u(builder);
                Subscribe(builder);
            });

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

    /// <summary>The server's text, or "(unknown)" when the operation was not traced.</summary>
    public static string TextOf(OperationTrace? trace) => trace?.ServerText ?? "(unknown)";

    public string ServerText => Server switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        null => "(unknown)",
        _ => Server.ToString() ?? "(unknown)",
    };

    /// <summary>Tags <paramref name="activity"/> with the server that answered (OpenTelemetry's <c>server.*</c> attributes).</summary>
    public void Tag(System.Diagnostics.Activity? activity)
    {
        switch (activity is null ? null : Server)
        {
            case DnsEndPoint dns:
                activity!.SetTag("server.address", dns.Host);
                activity.SetTag("server.port", dns.Port);
                break;
            case IPEndPoint ip:
                activity!.SetTag("server.address", ip.Address.ToString());
                activity.SetTag("server.port", ip.Port);
                break;
        }
    }
}
