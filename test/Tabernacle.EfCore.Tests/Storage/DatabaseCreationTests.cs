using Microsoft.EntityFrameworkCore;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;

namespace Tabernacle.EfCore.Tests.Storage;

[Index(nameof(Code), IsUnique = true)]
public class Part
{
    public int Id { get; set; }

    public string Code { get; set; } = "";

    public string Maker { get; set; } = "";

    public int Year { get; set; }
}

public class Bin
{
    public int Id { get; set; }

    public string Aisle { get; set; } = "";
}

public class CreationContext(DbContextOptions<CreationContext> options) : DbContext(options)
{
    public DbSet<Part> Parts => Set<Part>();

    public DbSet<Bin> Bins => Set<Bin>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Part>().Property(p => p.Id).ValueGeneratedNever();
        modelBuilder.Entity<Part>().HasIndex(p => new { p.Maker, p.Year }, "maker_newest").IsDescending(false, true);
        modelBuilder.Entity<Bin>().Property(p => p.Id).ValueGeneratedNever();
    }
}

public sealed class DatabaseCreationTests : ProviderTestBase<CreationContext>
{
    private async Task<bool> DatabaseExistsAsync() =>
        (await (await Backend.CreateClient().ListDatabaseNamesAsync()).ToListAsync()).Contains(DatabaseName);

    [Fact]
    public async Task EnsureCreated_creates_collections_and_declared_indexes_and_EnsureDeleted_drops_the_database()
    {
        await using var db = CreateContext();
        Assert.True(await db.Database.EnsureDeletedAsync());
        Assert.False(await DatabaseExistsAsync());
        Assert.False(await db.Database.EnsureDeletedAsync());

        Assert.True(await db.Database.EnsureCreatedAsync());
        Assert.False(await db.Database.EnsureCreatedAsync());
        var database = Backend.CreateClient().GetDatabase(DatabaseName);
        var collections = await (await database.ListCollectionNamesAsync()).ToListAsync();
        Assert.Equal(["bins", "parts"], collections.Order(StringComparer.Ordinal));

        var indexes = await (await database.GetCollection<BsonDocument>("parts").Indexes.ListAsync()).ToListAsync();
        var unique = Assert.Single(indexes, i => i["key"].AsBsonDocument.Contains("Code"));
        Assert.Equal(new BsonDocument("Code", 1), unique["key"]);
        Assert.True(unique.GetValue("unique", false).ToBoolean());
        var compound = Assert.Single(indexes, i => i["name"] == "maker_newest");
        Assert.Equal(new BsonDocument { { "Maker", 1 }, { "Year", -1 } }, compound["key"]);
        Assert.False(compound.GetValue("unique", false).ToBoolean());

        // The unique index is enforced.
        var raw = database.GetCollection<BsonDocument>("parts");
        await raw.InsertOneAsync(new BsonDocument { { "_id", 1 }, { "Code", "X" } });
        var duplicate =
            await Assert.ThrowsAsync<MongoWriteException>(() => raw.InsertOneAsync(new BsonDocument { { "_id", 2 }, { "Code", "X" } }));
        Assert.Equal(ServerErrorCategory.DuplicateKey, duplicate.WriteError.Category);

        db.Database.EnsureDeleted();
        Assert.False(await DatabaseExistsAsync());
        Assert.True(db.Database.EnsureCreated());
        Assert.True(await DatabaseExistsAsync());
        Assert.True(await db.Database.CanConnectAsync());
    }
}
