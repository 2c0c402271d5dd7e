using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>EnsureCreated creates each collection and the indexes declared with <c>HasIndex</c>/<c>[Index]</c>; EnsureDeleted drops the
/// database.</summary>
internal sealed class TabernacleDatabaseCreator(TabernacleClientWrapper client, ICurrentDbContext currentContext) : IDatabaseCreator
{
    private IModel Model => currentContext.Context.GetService<IDesignTimeModel>().Model;

    public bool EnsureDeleted()
    {
        var exists = client.RunDatabaseOperation("listDatabases", null, "db.adminCommand({ listDatabases: 1, nameOnly: true })", _ =>
            client.Client.ListDatabaseNames().ToList()).Contains(client.DatabaseName, StringComparer.Ordinal);
        if (exists)
        {
            client.RunDatabaseOperation("dropDatabase", null, "db.dropDatabase()", _ =>
            {
                client.Client.DropDatabase(client.DatabaseName);
                return true;
            });
        }

        return exists;
    }

    public async Task<bool> EnsureDeletedAsync(CancellationToken cancellationToken = default)
    {
        var exists = await DatabaseExistsAsync(cancellationToken).ConfigureAwait(false);
        if (exists)
        {
            await client.RunDatabaseOperationAsync("dropDatabase", null, $"db.dropDatabase()", async db =>
            {
                await client.Client.DropDatabaseAsync(client.DatabaseName, cancellationToken).ConfigureAwait(false);
                return true;
            }).ConfigureAwait(false);
        }

        return exists;
    }

    public bool EnsureCreated()
    {
        var existing =
            client.RunDatabaseOperation("listCollections", null, "db.getCollectionNames()", db => db.ListCollectionNames().ToList())
            .ToHashSet(StringComparer.Ordinal);
        var created = false;
        foreach (var group in Model.GetEntityTypes().Where(e => e.FindOwnership() is null).GroupBy(e => e.GetCollectionName()))
        {
            if (Skipped(group))
            {
                continue;
            }

            if (group.Select(e => e.GetViewDefinition()).FirstOrDefault(d => d is not null) is { } view)
            {
                if (existing.Add(group.Key))
                {
                    client.RunDatabaseOperation("create", group.Key, DescribeView(group.Key, view), db =>
                    {
                        db.CreateView(group.Key, view.ViewOn, PipelineDefinition<BsonDocument, BsonDocument>.Create(view.Pipeline));
                        return true;
                    });
                    created = true;
                }

                continue;
            }

            if (existing.Add(group.Key))
            {
                client.RunDatabaseOperation("create", group.Key, $"db.createCollection(\"{group.Key}\")", db =>
                {
                    db.CreateCollection(group.Key);
                    return true;
                });
                created = true;
            }

            var indexes = group.SelectMany(AllIndexes).Select(Model.IndexModel).ToList();
            if (indexes.Count > 0)
            {
                client.RunDatabaseOperation("createIndexes", group.Key, $"db.{group.Key}.createIndexes({indexes.Count} indexes)", db =>
                    db.GetCollection<BsonDocument>(group.Key).Indexes.CreateMany(indexes));
            }
        }

        return created;
    }

    public async Task<bool> EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        var existing = (await client.RunDatabaseOperationAsync("listCollections", null, "db.getCollectionNames()", async db =>
            await (await db.ListCollectionNamesAsync(cancellationToken: cancellationToken).ConfigureAwait(false)).ToListAsync(
                cancellationToken).ConfigureAwait(false)).ConfigureAwait(false))
            .ToHashSet(StringComparer.Ordinal);
        var created = false;
        foreach (var group in Model.GetEntityTypes().Where(e => e.FindOwnership() is null).GroupBy(e => e.GetCollectionName()))
        {
            if (Skipped(group))
            {
                continue;
            }

            if (group.Select(e => e.GetViewDefinition()).FirstOrDefault(d => d is not null) is { } view)
            {
                if (existing.Add(group.Key))
                {
                    await client.RunDatabaseOperationAsync("create", group.Key, DescribeView(group.Key, view), async db =>
                    {
                        var pipeline = PipelineDefinition<BsonDocument, BsonDocument>.Create(view.Pipeline);
                        await db.CreateViewAsync(group.Key, view.ViewOn, pipeline,
                            cancellationToken: cancellationToken).ConfigureAwait(false);
                        return true;
                    }).ConfigureAwait(false);
                    created = true;
                }

                continue;
            }

            if (existing.Add(group.Key))
            {
                await client.RunDatabaseOperationAsync("create", group.Key, $"db.createCollection(\"{group.Key}\")", async db =>
                {
                    await db.CreateCollectionAsync(group.Key, cancellationToken: cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
                created = true;
            }

            var indexes = group.SelectMany(AllIndexes).Select(Model.IndexModel).ToList();
            if (indexes.Count > 0)
            {
                await client.RunDatabaseOperationAsync("createIndexes", group.Key, $"db.{group.Key}.createIndexes({indexes.Count} indexes)",
                    async db =>
                {
                    await db.GetCollection<BsonDocument>(group.Key).Indexes.CreateManyAsync(indexes,
                        cancellationToken).ConfigureAwait(false);
                    return true;
                }).ConfigureAwait(false);
            }
        }

        return created;
    }

    // Keyless types alone on a name read what others write (a collection of an entity type, FromMql results) or a view
    // the application created (ToView without a definition): nothing to create for them.
    private static bool Skipped(IGrouping<string, IEntityType> group) =>
        group.All(e => e.FindPrimaryKey() is null) && group.All(e => e.GetViewDefinition() is null);

    private static string DescribeView(string name, (string ViewOn, IReadOnlyList<BsonDocument> Pipeline) view) =>
        $"db.createView(\"{name}\", \"{view.ViewOn}\", {ShellSyntax.Of(new BsonArray(view.Pipeline))})";

    // Indexes of the entity type and of the types embedded in it, with their paths from the document root.
    private static IEnumerable<IIndex> AllIndexes(IEntityType entityType) =>
        entityType.GetIndexes().Concat(
            entityType.GetNavigations().Where(n => n.ForeignKey.IsOwnership && !n.IsOnDependent).SelectMany(n =>
                AllIndexes(n.TargetEntityType)));

    public bool CanConnect()
    {
        try
        {
            client.RunDatabaseOperation("ping", null, "db.runCommand({ ping: 1 })", db =>
                db.RunCommand<BsonDocument>(new BsonDocument("ping", 1)));
            return true;
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            return false;
        }
    }

    public async Task<bool> CanConnectAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            await client.RunDatabaseOperationAsync("ping", null, "db.runCommand({ ping: 1 })", db =>
                db.RunCommandAsync<BsonDocument>(new BsonDocument("ping", 1), cancellationToken: cancellationToken)).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException)
        {
            return false;
        }
    }

    private async Task<bool> DatabaseExistsAsync(CancellationToken cancellationToken)
    {
        var names = await client.RunDatabaseOperationAsync("listDatabases", null, "db.adminCommand({ listDatabases: 1, nameOnly: true })",
            async _ => await (await client.Client.ListDatabaseNamesAsync(cancellationToken).ConfigureAwait(false))
                .ToListAsync(cancellationToken).ConfigureAwait(false)).ConfigureAwait(false);
        return names.Contains(client.DatabaseName, StringComparer.Ordinal);
    }
}

internal static class IndexModels
{
    /// <summary>The driver's model of an EF index: element paths, direction per property, uniqueness and name.</summary>
    public static CreateIndexModel<BsonDocument> IndexModel(this IModel model, IIndex index)
    {
        var keys = new BsonDocument();
        for (var i = 0; i < index.Properties.Count; i++)
        {
            var descending = index.IsDescending is { Count: > 0 } flags && flags[i];
            keys[FieldPaths.Of(index.Properties[i])] = descending ? -1 : 1;
        }

        var options = new CreateIndexOptions { Unique = index.IsUnique };
        options.Name = index.Name ?? string.Join("_", keys.Select(k => $"{k.Name}_{k.Value}"));
        return new CreateIndexModel<BsonDocument>(keys, options);
    }
}
