using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Commands.Operations;

/// <summary>
/// mongod's in-memory logical session cache of one member: every session a command used, with its last use, until
/// <c>endSessions</c> ends it. What <c>$listLocalSessions</c> lists.
/// </summary>
internal sealed class LocalSessionCache
{
    private readonly ConcurrentDictionary<string, LocalSession> _sessions = new(StringComparer.Ordinal);

    /// <summary>mongod's <c>uid</c>: SHA-256 of the owning user's name (<c>user@db</c>, empty without authentication).</summary>
    public static BsonBinaryData Uid(string? owner) => new(SHA256.HashData(Encoding.UTF8.GetBytes(owner ?? "")));

    public void Touch(SessionInfo session, string? owner, DateTime now)
    {
        if (session.Lsid.GetValue("id", BsonNull.Value) is not BsonBinaryData id)
        {
            return;
        }

        _sessions[session.Id] = new LocalSession(id, owner, now);
    }

    public void End(IEnumerable<string> sessionIds)
    {
        foreach (var id in sessionIds)
        {
            _sessions.TryRemove(id, out _);
        }
    }

    public IReadOnlyList<LocalSession> Sessions => [.. _sessions.Values.OrderBy(s => s.LastUse)];

    internal sealed record LocalSession(BsonBinaryData Id, string? Owner, DateTime LastUse)
    {
        public BsonDocument ToDocument()
        {
            var document = new BsonDocument
            {
                { "_id", new BsonDocument { { "id", Id }, { "uid", Uid(Owner) } } },
                { "lastUse", LastUse },
            };
            if (Owner is not null)
            {
                document["user"] = new BsonDocument("name", Owner);
            }

            return document;
        }
    }
}
