using System.Net;
using MongoDB.Bson;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Servers;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>Turns a <c>replSetGetStatus</c> reply or the driver's cluster description into a <see cref="ReplicaSetStatus"/>.</summary>
internal static class StatusBuilder
{
    public static string NameOf(EndPoint endPoint) => endPoint switch
    {
        DnsEndPoint dns => $"{dns.Host}:{dns.Port}",
        IPEndPoint ip => $"{ip.Address}:{ip.Port}",
        _ => endPoint.ToString() ?? "(unknown)",
    };

    public static ReplicaSetStatus FromReplSetGetStatus(BsonDocument reply, DateTimeOffset now)
    {
        var raw = new List<(string Name, ReplicaSetMemberRole Role, bool Healthy, DateTimeOffset? OpTime, DateTimeOffset? Heartbeat)>();
        foreach (var value in reply.GetValue("members", new BsonArray()).AsBsonArray)
        {
            if (value is not BsonDocument m)
            {
                continue;
            }

            var name = m.GetValue("name", "").ToString()!;
            var healthy = m.TryGetValue("health", out var h) && h.IsNumeric && h.ToDouble() >= 1;
            var role = healthy ? RoleOf(m.GetValue("stateStr", "").ToString()!) : ReplicaSetMemberRole.Down;
            DateTimeOffset? opTime = m.TryGetValue("optimeDate", out var o) && o.IsValidDateTime
                ? new DateTimeOffset(o.ToUniversalTime(), TimeSpan.Zero) : null;
            DateTimeOffset? heartbeat = m.TryGetValue("self", out var self) && self.ToBoolean()
                ? now
                : m.TryGetValue("lastHeartbeatRecv", out var hb) && hb.IsValidDateTime
                    ? new DateTimeOffset(hb.ToUniversalTime(), TimeSpan.Zero)
                : m.TryGetValue("lastHeartbeat", out var hb2) && hb2.IsValidDateTime
                    ? new DateTimeOffset(hb2.ToUniversalTime(), TimeSpan.Zero)
                : null;
            raw.Add((name, role, healthy, opTime, heartbeat));
        }

        var reference = ReferenceOpTime(raw.Select(r => (r.Role, r.Healthy, r.OpTime)));
        var members = raw
            .Select(r =>
                new ReplicaSetMember(r.Name, r.Role, r.Healthy, r.OpTime, Lag(r.Role, r.Healthy, r.OpTime, reference), r.Heartbeat,
                    ReadCounter.ReadsServedBy(r.Name)))
            .ToList();
        return new ReplicaSetStatus(ReplicaSetState.ReplicaSet, reply.GetValue("set", BsonNull.Value) is BsonString s ? s.Value : null,
            members, ReplicaSetStatusSource.ReplSetGetStatus, now, ReadCounter.ReadsByReadPreference());
    }

    public static ReplicaSetStatus FromCluster(ClusterDescription cluster, DateTimeOffset now)
    {
        var state = cluster.Type switch
        {
            ClusterType.ReplicaSet => ReplicaSetState.ReplicaSet,
            ClusterType.Unknown =>
                cluster.Servers.Any(s => s.Type is ServerType.Standalone or ServerType.ShardRouter) ? ReplicaSetState.NotReplicaSet
                    : ReplicaSetState.Connecting,
            _ => ReplicaSetState.NotReplicaSet,
        };
        var raw = cluster.Servers
            .Select(s => (
                Name: NameOf(s.EndPoint),
                Role: RoleOf(s),
                Healthy: s.State == ServerState.Connected,
                OpTime: s.LastWriteTimestamp is { } w ? new DateTimeOffset(DateTime.SpecifyKind(w, DateTimeKind.Utc), TimeSpan.Zero)
                    : (DateTimeOffset?)null,
                Heartbeat: s.LastHeartbeatTimestamp is { } hb
                    ? new DateTimeOffset(DateTime.SpecifyKind(hb, DateTimeKind.Utc), TimeSpan.Zero) : (DateTimeOffset?)null,
                SetName: s.ReplicaSetConfig?.Name))
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ToList();
        var reference = ReferenceOpTime(raw.Select(r => (r.Role, r.Healthy, r.OpTime)));
        var members = raw
            .Select(r =>
                new ReplicaSetMember(r.Name, r.Role, r.Healthy, r.OpTime,
                    state == ReplicaSetState.ReplicaSet ? Lag(r.Role, r.Healthy, r.OpTime, reference) : null, r.Heartbeat,
                        ReadCounter.ReadsServedBy(r.Name)))
            .ToList();
        return new ReplicaSetStatus(state, raw.Select(r => r.SetName).FirstOrDefault(n => n is not null), members,
            ReplicaSetStatusSource.DriverMonitoring, now, ReadCounter.ReadsByReadPreference());
    }

    /// <summary>The status of a server that answered <c>replSetGetStatus</c> with "not running with --replSet".</summary>
    public static ReplicaSetStatus NotReplicaSet(ClusterDescription? cluster, DateTimeOffset now)
    {
        var members = cluster?.Servers
            .Select(s =>
                new ReplicaSetMember(NameOf(s.EndPoint),
                    s.State == ServerState.Connected ? ReplicaSetMemberRole.Standalone : ReplicaSetMemberRole.Down,
                        s.State == ServerState.Connected, null, null, null, ReadCounter.ReadsServedBy(NameOf(s.EndPoint))))
            .ToList() ?? [];
        return new ReplicaSetStatus(ReplicaSetState.NotReplicaSet, null, members, ReplicaSetStatusSource.ReplSetGetStatus, now,
            ReadCounter.ReadsByReadPreference());
    }

    // Lag is measured against the primary's optime; during an election, against the most advanced healthy member.
    private static DateTimeOffset? ReferenceOpTime(IEnumerable<(ReplicaSetMemberRole Role, bool Healthy, DateTimeOffset? OpTime)> members)
    {
        var list = members.ToList();
        var primary = list.FirstOrDefault(m => m.Role == ReplicaSetMemberRole.Primary && m.Healthy);
        return primary.OpTime ?? list.Where(m => m.Healthy).Max(m => m.OpTime);
    }

    private static TimeSpan? Lag(ReplicaSetMemberRole role, bool healthy, DateTimeOffset? opTime, DateTimeOffset? reference)
    {
        if (!healthy || opTime is null || reference is null || role is ReplicaSetMemberRole.Arbiter)
        {
            return null;
        }

        var lag = reference.Value - opTime.Value;
        return lag < TimeSpan.Zero ? TimeSpan.Zero : lag;
    }

    private static ReplicaSetMemberRole RoleOf(string stateStr) => stateStr switch
    {
        "PRIMARY" => ReplicaSetMemberRole.Primary,
        "SECONDARY" => ReplicaSetMemberRole.Secondary,
        "ARBITER" => ReplicaSetMemberRole.Arbiter,
        "RECOVERING" => ReplicaSetMemberRole.Recovering,
        "DOWN" or "REMOVED" => ReplicaSetMemberRole.Down,
        _ => ReplicaSetMemberRole.Unknown,
    };

    private static ReplicaSetMemberRole RoleOf(ServerDescription server) => server.State != ServerState.Connected
        ? ReplicaSetMemberRole.Down
        : server.Type switch
        {
            ServerType.ReplicaSetPrimary => ReplicaSetMemberRole.Primary,
            ServerType.ReplicaSetSecondary => ReplicaSetMemberRole.Secondary,
            ServerType.ReplicaSetArbiter => ReplicaSetMemberRole.Arbiter,
            ServerType.ReplicaSetOther or ServerType.ReplicaSetGhost => ReplicaSetMemberRole.Recovering,
            ServerType.Standalone => ReplicaSetMemberRole.Standalone,
            _ => ReplicaSetMemberRole.Unknown,
        };
}
