using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Security;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>
/// <c>$clusterTime</c> in and out, as mongod's VectorClock and LogicalTimeValidator handle it. In: a gossiped time first
/// passes the rate limiter (no further ahead of the wall clock than <c>maxAcceptableLogicalClockDriftSecs</c>); with
/// authentication on, a client without the <c>advanceClusterTime</c> privilege may only move the clock to a time the set
/// itself signed. Out: every reply carries the set's cluster time signed with the set's key.
/// </summary>
internal static class ClusterTimeGossip
{
    /// <summary>Validates the command's <c>$clusterTime</c>, if any, and advances the set's clock to it; refusals leave the clock
    /// alone.</summary>
    public static void In(CommandContext context, CredentialStore? credentials)
    {
        if (!context.Command.TryGetValue("$clusterTime", out var value))
        {
            return;
        }

        // mongod ignores the cluster time of a client that has not authenticated yet (drivers send it on the handshake).
        if (credentials is not null && !context.Connection.Authentication.IsAuthenticated)
        {
            return;
        }

        if (value is not BsonDocument gossiped || !gossiped.TryGetValue("clusterTime", out var timeValue) || timeValue
            is not BsonTimestamp time)
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                "$clusterTime must be an object with a 'clusterTime' timestamp and a 'signature'");
        }

        // As mongod's gossipIn: the signature first, then the rate limiter (inside AdvanceFromGossip).
        var set = context.Set;
        if (credentials is not null && (ulong)time.Value > (ulong)set.Clock.Current.Value && !MayAdvanceClusterTime(credentials, context))
        {
            var (keyId, hash) = Signature(gossiped);
            set.ClusterTimeKeys.Verify(time, keyId, hash);
        }

        set.Clock.AdvanceFromGossip(time);
    }

    /// <summary>The reply's <c>$clusterTime</c>: the set's time and its signature.</summary>
    public static BsonDocument Out(ReplicaSetCoordinator set)
    {
        var time = set.Clock.Current;
        return new BsonDocument
        {
            { "clusterTime", time },
            { "signature",
                new BsonDocument { { "hash", new BsonBinaryData(set.ClusterTimeKeys.Sign(time)) },
                    { "keyId", set.ClusterTimeKeys.KeyId } } },
        };
    }

    private static bool MayAdvanceClusterTime(CredentialStore credentials, CommandContext context) =>
        context.Connection.Authentication.User is { } user && credentials.Find(user.Database, user.Name) is { MayAdvanceClusterTime: true };

    private static (long KeyId, byte[]? Hash) Signature(BsonDocument gossiped)
    {
        if (!gossiped.TryGetValue("signature", out var signatureValue) || signatureValue is not BsonDocument signature)
        {
            return (0, null);
        }

        var keyId = signature.TryGetValue("keyId", out var id) && id.IsNumeric ? id.ToInt64() : 0;
        var hash = signature.TryGetValue("hash", out var h) && h is BsonBinaryData binary ? binary.Bytes : null;
        return (keyId, hash);
    }
}
