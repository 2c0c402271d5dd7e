using System.Collections.Concurrent;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// One <see cref="MongoClient"/> per distinct <see cref="MongoClientSettings"/>, shared by every context in the process:
/// a client owns the connection pools and server monitors, so creating one per context would defeat both.
/// </summary>
internal static class MongoClientCache
{
    private static readonly ConcurrentDictionary<MongoClientSettings, Lazy<MongoClient>> Clients = new();

    public static IMongoClient Get(MongoClientSettings settings)
    {
        settings.Freeze();
        return Clients.GetOrAdd(settings, s => new Lazy<MongoClient>(() => new MongoClient(s))).Value;
    }

    /// <summary>The number of distinct clients created so far (for tests of sharing).</summary>
    public static int Count => Clients.Count;
}
