using System.Buffers.Binary;
using System.Security.Cryptography;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>
/// The HMAC-SHA1 key the set signs its cluster times with, as mongod keeps in <c>admin.system.keys</c>: every member
/// shares it (it is replicated data on a real set), clients never see it, and a gossiped <c>$clusterTime</c> whose
/// signature it does not reproduce cannot move the clock of a client without the <c>advanceClusterTime</c> privilege.
/// </summary>
internal sealed class ClusterTimeKeys
{
    private readonly byte[] _key = RandomNumberGenerator.GetBytes(20);
    private readonly Lock _gate = new();
    private (long Value, byte[] Hash)? _lastSigned;

    public ClusterTimeKeys(TimeProvider timeProvider)
    {
        // mongod derives a key's id from the cluster time it was made at; any stable 64-bit value that clients echo back works.
        KeyId = timeProvider.GetUtcNow().ToUnixTimeSeconds() << 32;
    }

    /// <summary>The <c>keyId</c> clients echo back in <c>$clusterTime.signature</c>.</summary>
    public long KeyId { get; }

    /// <summary>The signature of <paramref name="clusterTime"/> (20 bytes of HMAC-SHA1 over its 64-bit value).</summary>
    public byte[] Sign(BsonTimestamp clusterTime)
    {
        lock (_gate)
        {
            // Replies mostly carry the same cluster time one after another: sign each value once.
            if (_lastSigned is { } last && last.Value == clusterTime.Value)
            {
                return last.Hash;
            }

            Span<byte> message = stackalloc byte[8];
            BinaryPrimitives.WriteInt64BigEndian(message, clusterTime.Value);
            var hash = HMACSHA1.HashData(_key, message);
            _lastSigned = (clusterTime.Value, hash);
            return hash;
        }
    }

    /// <summary>
    /// Checks a gossiped cluster time's signature as mongod's LogicalTimeValidator does: an unknown key id is KeyNotFound
    /// (211), a hash the key does not reproduce TimeProofMismatch (204).
    /// </summary>
    public void Verify(BsonTimestamp clusterTime, long keyId, byte[]? hash)
    {
        if (keyId != KeyId)
        {
            throw new MongoErrorException(
                ErrorCodes.KeyNotFound,
                $"No keys found for HMAC that is valid for time: " +
                    $"{{ ts: Timestamp({(uint)clusterTime.Timestamp}, {(uint)clusterTime.Increment}) }} with id: {keyId}");
        }

        if (hash is null || !CryptographicOperations.FixedTimeEquals(hash, Sign(clusterTime)))
        {
            throw new MongoErrorException(ErrorCodes.TimeProofMismatch, "Time proof mismatch");
        }
    }
}
