using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;
using Tabernacle.EfCore.Tests.Infrastructure;
using Tabernacle.EfCore.Tests.Model;

namespace Tabernacle.EfCore.Tests.Compatibility;

/// <summary>A server-selection timeout says what the driver saw: the set names the members answered with, or their tags.</summary>
public sealed class ServerSelectionTimeoutTests : ProviderTestBase<ShopContext>
{
    private ShopContext WithUrl(Action<MongoUrlBuilder> change)
    {
        var url = new MongoUrlBuilder(Backend.ConnectionString) { ServerSelectionTimeout = TimeSpan.FromSeconds(1) };
        change(url);
        var options = new DbContextOptionsBuilder<ShopContext>().UseTabernacle(url.ToString(), DatabaseName).Options;
        return new ShopContext(options);
    }

    [SkippableFact]
    public async Task A_wrong_replica_set_name_is_reported_with_the_name_the_members_answered()
    {
        var actual = new MongoUrl(Backend.ConnectionString).ReplicaSetName;
        Skip.If(actual is null, "the backend's connection string names no replica set");
        await using var db = WithUrl(u => u.ReplicaSetName = "not-" + actual);
        var error = await Assert.ThrowsAsync<TimeoutException>(() => db.Products.ToListAsync());
        Assert.Contains($"asks for replicaSet=not-{actual} but the members answered as set '{actual}'", error.Message,
            StringComparison.Ordinal);
        Assert.Contains($"set replicaSet={actual}", error.Message, StringComparison.Ordinal);
        Assert.IsType<TimeoutException>(error.InnerException);
    }

    [Fact]
    public async Task A_tag_set_no_member_carries_is_reported_with_the_members_tags()
    {
        await using var db = WithUrl(_ => { });
        var tags = new[] { new TagSet([new Tag("dc", "atlantis")]) };
        var error = await Assert.ThrowsAsync<TimeoutException>(
            () => db.Products.WithReadPreference(ReadPreferenceMode.Secondary, tags).ToListAsync());
        Assert.Contains("No Secondary member matches the tag sets { dc: atlantis }; the members carry", error.Message,
            StringComparison.Ordinal);
    }
}
