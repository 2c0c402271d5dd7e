using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Driver;
using Tabernacle.EfCore.Infrastructure.Internal;

namespace Tabernacle.EfCore;

/// <summary><c>UseTabernacle</c>: configures a context to use a MongoDB replica set (or standalone server) through Tabernacle.</summary>
public static class TabernacleDbContextOptionsExtensions
{
    /// <summary>Connects with a connection string whose path names the database (<c>mongodb://h1,h2,h3/shop?replicaSet=rs0</c>).</summary>
    /// <exception cref="ArgumentException">The connection string cannot be parsed or names no database.</exception>
    public static DbContextOptionsBuilder UseTabernacle(
        this DbContextOptionsBuilder optionsBuilder,
        string connectionString,
        Action<TabernacleDbContextOptionsBuilder>? tabernacleOptionsAction = null)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var url = ConnectionStrings.Parse(connectionString);
        if (string.IsNullOrEmpty(url.DatabaseName))
        {
            throw new ArgumentException(
                "The MongoDB connection string names no database. Add it to the path (mongodb://host:27017/mydatabase?replicaSet=rs0) or " +
                    "call UseTabernacle(connectionString, databaseName).",
                nameof(connectionString));
        }

        return Configure(optionsBuilder, e => e.WithConnectionString(connectionString, url.DatabaseName), tabernacleOptionsAction);
    }

    /// <summary>Connects with a connection string and an explicit database name (which wins over the connection string's path).</summary>
    /// <exception cref="ArgumentException">The connection string cannot be parsed or the database name is empty.</exception>
    public static DbContextOptionsBuilder UseTabernacle(
        this DbContextOptionsBuilder optionsBuilder,
        string connectionString,
        string databaseName,
        Action<TabernacleDbContextOptionsBuilder>? tabernacleOptionsAction = null)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);
        ConnectionStrings.Parse(connectionString);
        return Configure(optionsBuilder, e => e.WithConnectionString(connectionString, databaseName), tabernacleOptionsAction);
    }

    /// <summary>Uses a client the application created (and owns) and a database name.</summary>
    public static DbContextOptionsBuilder UseTabernacle(
        this DbContextOptionsBuilder optionsBuilder,
        IMongoClient mongoClient,
        string databaseName,
        Action<TabernacleDbContextOptionsBuilder>? tabernacleOptionsAction = null)
    {
        ArgumentNullException.ThrowIfNull(optionsBuilder);
        ArgumentNullException.ThrowIfNull(mongoClient);
        ArgumentException.ThrowIfNullOrWhiteSpace(databaseName);
        return Configure(optionsBuilder, e => e.WithClient(mongoClient, databaseName), tabernacleOptionsAction);
    }

    /// <summary>Connects with a connection string whose path names the database.</summary>
    public static DbContextOptionsBuilder<TContext> UseTabernacle<TContext>(
        this DbContextOptionsBuilder<TContext> optionsBuilder,
        string connectionString,
        Action<TabernacleDbContextOptionsBuilder>? tabernacleOptionsAction = null)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)UseTabernacle((DbContextOptionsBuilder)optionsBuilder, connectionString,
            tabernacleOptionsAction);

    /// <summary>Connects with a connection string and an explicit database name.</summary>
    public static DbContextOptionsBuilder<TContext> UseTabernacle<TContext>(
        this DbContextOptionsBuilder<TContext> optionsBuilder,
        string connectionString,
        string databaseName,
        Action<TabernacleDbContextOptionsBuilder>? tabernacleOptionsAction = null)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)UseTabernacle((DbContextOptionsBuilder)optionsBuilder, connectionString, databaseName,
            tabernacleOptionsAction);

    /// <summary>Uses a client the application created and a database name.</summary>
    public static DbContextOptionsBuilder<TContext> UseTabernacle<TContext>(
        this DbContextOptionsBuilder<TContext> optionsBuilder,
        IMongoClient mongoClient,
        string databaseName,
        Action<TabernacleDbContextOptionsBuilder>? tabernacleOptionsAction = null)
        where TContext : DbContext
        => (DbContextOptionsBuilder<TContext>)UseTabernacle((DbContextOptionsBuilder)optionsBuilder, mongoClient, databaseName,
            tabernacleOptionsAction);

    private static DbContextOptionsBuilder Configure(
        DbContextOptionsBuilder optionsBuilder,
        Func<TabernacleOptionsExtension, TabernacleOptionsExtension> change,
        Action<TabernacleDbContextOptionsBuilder>? tabernacleOptionsAction)
    {
        var extension = optionsBuilder.Options.FindExtension<TabernacleOptionsExtension>() ?? new TabernacleOptionsExtension();
        ((IDbContextOptionsBuilderInfrastructure)optionsBuilder).AddOrUpdateExtension(change(extension));
        tabernacleOptionsAction?.Invoke(new TabernacleDbContextOptionsBuilder(optionsBuilder));
        return optionsBuilder;
    }
}
