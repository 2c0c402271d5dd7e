using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.Chaos;

/// <summary>The collections the workload writes and the checker reads, and their starting contents.</summary>
internal static class Schema
{
    public const string Inserts = "inserts";
    public const string Registers = "registers";
    public const string Accounts = "accounts";
    public const string Transfers = "transfers";
    public const string Books = "books";
    public const string Loans = "loans";

    /// <summary>A collection the heal step writes to with <c>w: &lt;every member&gt;</c> to prove the set works again.</summary>
    public const string Sentinel = "sentinel";

    public const int InitialBalance = 100;

    public static readonly IReadOnlyList<string> RegisterIds = ["r0", "r1", "r2"];

    public static readonly IReadOnlyList<string> AccountIds = ["a0", "a1", "a2", "a3", "a4"];

    /// <summary>Books and their copy counts: few copies, so borrows run out and compete.</summary>
    public static readonly IReadOnlyDictionary<string, int> Copies = new Dictionary<string, int> { ["b0"] = 2, ["b1"] = 4 };

    public static readonly IReadOnlyList<string> All = [Inserts, Registers, Accounts, Transfers, Books, Loans];

    /// <summary>Creates the collections and the starting documents, acknowledged by a majority.</summary>
    public static async Task SeedAsync(IMongoDatabase database, CancellationToken cancellationToken)
    {
        var db = database.WithWriteConcern(WriteConcern.WMajority);
        foreach (var name in All)
        {
            await db.CreateCollectionAsync(name, cancellationToken: cancellationToken);
        }

        await db.GetCollection<BsonDocument>(Registers).InsertManyAsync(
            RegisterIds.Select(id => new BsonDocument { { "_id", id }, { "n", 0 }, { "vals", new BsonArray() } }),
            cancellationToken: cancellationToken);
        await db.GetCollection<BsonDocument>(Accounts).InsertManyAsync(
            AccountIds.Select(id => new BsonDocument { { "_id", id }, { "balance", InitialBalance }, { "applied", new BsonArray() } }),
            cancellationToken: cancellationToken);
        await db.GetCollection<BsonDocument>(Books).InsertManyAsync(
            Copies.Select(b => new BsonDocument { { "_id", b.Key }, { "copies", b.Value }, { "available", b.Value } }),
            cancellationToken: cancellationToken);
    }
}
