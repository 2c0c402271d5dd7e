using System.Net;
using MongoDB.Bson;
using MongoDB.Driver;
using MongoDB.Driver.Core.Clusters;
using MongoDB.Driver.Core.Connections;
using MongoDB.Driver.Core.Servers;

namespace Tabernacle.EfCore.Tests.Reliability;

/// <summary>Driver exceptions as a server's answers would raise them, for tests that classify or react to failures.</summary>
internal static class ServerErrors
{
    public static readonly ConnectionId Connection = new(new ServerId(new ClusterId(), new DnsEndPoint("localhost", 27017)));

    /// <summary>A command error with <paramref name="code"/> and the given error labels, as <paramref name="command"/> would
    /// fail.</summary>
    public static MongoCommandException Command(BsonDocument command, int code, params string[] labels)
    {
        var result = new BsonDocument { { "ok", 0 }, { "code", code }, { "errmsg", "failed" } };
        if (labels.Length > 0)
        {
            result["errorLabels"] = new BsonArray(labels);
        }

        return new MongoCommandException(Connection, $"{command.GetElement(0).Name} failed", command, result);
    }
}
