using MongoDB.Bson;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Security;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>hello</c> and its legacy name <c>isMaster</c>: the handshake and the heartbeat of server discovery. With
/// <c>topologyVersion</c> and <c>maxAwaitTimeMS</c> it is awaitable: it answers when the member's view changes or the wait ends.
/// </summary>
internal sealed class HelloCommand(CredentialStore? credentials = null) : ICommandHandler
{
    public const int MaxWireVersion = 21;
    public const int MaxBsonObjectSize = 16 * 1024 * 1024;
    public const int MaxWriteBatchSize = 100_000;

    public IReadOnlyList<string> Names { get; } = ["hello", "isMaster"];

    public CommandAccess Access => CommandAccess.Any;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var member = context.Self;
        if (context.Command.TryGetValue("client", out var metadata) && metadata is BsonDocument metadataDocument)
        {
            context.Connection.ClientMetadata = metadataDocument;
        }

        if (context.Command.TryGetValue("client", out var client) && client is BsonDocument clientDocument
            && clientDocument.TryGetValue("application", out var application) && application is BsonDocument app
            && app.TryGetValue("name", out var appName) && appName.IsString)
        {
            context.Connection.AppName = appName.AsString;
        }

        if (context.Command.TryGetValue("topologyVersion", out var tv) && tv is BsonDocument clientVersion
            && context.Command.TryGetValue("maxAwaitTimeMS", out var maxAwait) && maxAwait.IsNumeric)
        {
            var signal = member.TopologyChanged.WaitTask;
            var current = member.TopologyVersion;
            if (clientVersion.GetValue("processId", BsonNull.Value).Equals(current["processId"])
                && clientVersion.GetValue("counter", -1L).ToInt64() == current["counter"].ToInt64())
            {
                // Nothing changed since the client's last answer: hold the reply until something does or the wait ends.
                await Task.WhenAny(signal,
                    Task.Delay(TimeSpan.FromMilliseconds(maxAwait.ToInt64()), context.Set.Time, context.CancellationToken)).ConfigureAwait(
                        false);
                context.CancellationToken.ThrowIfCancellationRequested();
            }
        }

        var legacy = context.CommandName != "hello";
        var reply = Build(context, legacy);
        SaslSupport.AddToHello(context, reply, credentials);
        return reply;
    }

    public static BsonDocument Build(CommandContext context, bool legacy)
    {
        var member = context.Self;
        var set = context.Set;
        var isPrimary = member.IsPrimary;
        var reply = new BsonDocument();
        if (context.Command.TryGetValue("helloOk", out var helloOk) && helloOk.ToBoolean())
        {
            reply["helloOk"] = true;
        }

        reply[legacy ? "ismaster" : "isWritablePrimary"] = isPrimary;
        reply["topologyVersion"] = member.TopologyVersion;
        reply["hosts"] = new BsonArray(set.Statuses.Where(m => m.Priority > 0 || m.Votes > 0).Select(m => m.Host));
        reply["setName"] = set.Name;
        reply["setVersion"] = set.ConfigVersion;
        reply["secondary"] = member.State == MemberState.Secondary;
        // A member cut off from the set knows no primary but itself (an old primary that has not noticed yet).
        IMemberStatus? knownPrimary = isPrimary ? member : set.Primary;
        if (knownPrimary is not null && context.Reaches(knownPrimary))
        {
            reply["primary"] = knownPrimary.Host;
        }

        reply["me"] = member.Host;
        if (isPrimary)
        {
            reply["electionId"] = member.ElectionId;
        }

        var lastApplied = member.LastApplied;
        var majority = context.CommitPoint;

        reply["lastWrite"] = new BsonDocument
        {
            { "opTime", lastApplied.ToBsonDocument() },
            { "lastWriteDate", member.LastAppliedWallTime },
            { "majorityOpTime", majority.ToBsonDocument() },
            { "majorityWriteDate", member.WallTimeOf(majority) ?? DateTime.UnixEpoch },
        };
        if (member.Tags.Count > 0)
        {
            reply["tags"] = new BsonDocument(member.Tags.Select(t => new BsonElement(t.Key, t.Value)));
        }

        reply["maxBsonObjectSize"] = MaxBsonObjectSize;
        reply["maxMessageSizeBytes"] = Wire.WireServer.MaxMessageSize;
        reply["maxWriteBatchSize"] = MaxWriteBatchSize;
        reply["localTime"] = context.Set.UtcNow;
        reply["logicalSessionTimeoutMinutes"] = 30;
        reply["connectionId"] = context.Connection.Id;
        reply["minWireVersion"] = 0;
        reply["maxWireVersion"] = MaxWireVersion;
        reply["readOnly"] = false;
        return reply;
    }
}
