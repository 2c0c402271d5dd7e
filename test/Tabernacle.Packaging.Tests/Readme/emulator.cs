// What the README's first emulator snippet set up, for the snippets that continue it: a running set (rs) and a
// driver client on it (client), with that snippet's usings.
global using MongoDB.Bson;
global using MongoDB.Driver;
global using Tabernacle.MongoEmulator;
global using static ReadmeContext;

internal static class ReadmeContext
{
    public static MongoReplicaSetEmulator rs = null!;
    public static MongoClient client = null!;
}
