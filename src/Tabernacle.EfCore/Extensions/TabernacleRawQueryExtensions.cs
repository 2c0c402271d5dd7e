using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using MongoDB.Bson;
using Tabernacle.EfCore.Query.Internal;

namespace Tabernacle.EfCore;

/// <summary>
/// The raw MQL escape hatch: start a query from a filter or pipeline you write, then compose LINQ on top. The MQL is
/// passed as a value (a query parameter), never spliced into a string, so it cannot be injected into.
/// </summary>
public static class TabernacleRawQueryExtensions
{
    /// <summary>The entities whose documents match <paramref name="filter"/> (query language, e.g. <c>{ price: { $lt: 100 }
    /// }</c>).</summary>
    public static IQueryable<TEntity> FromMql<TEntity>(this DbSet<TEntity> set, BsonDocument filter)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(filter);
        return Root(set, isPipeline: false, filter);
    }

    /// <summary>
    /// The entities a pipeline of <paramref name="stages"/> produces from the collection (stages that keep the document
    /// shape: <c>$match</c>, <c>$sort</c>, <c>$limit</c>, <c>$addFields</c>...).
    /// </summary>
    public static IQueryable<TEntity> FromPipeline<TEntity>(this DbSet<TEntity> set, params BsonDocument[] stages)
        where TEntity : class
    {
        ArgumentNullException.ThrowIfNull(set);
        ArgumentNullException.ThrowIfNull(stages);
        if (stages.Any(s => s is null || s.ElementCount != 1 || !s.GetElement(0).Name.StartsWith('$')))
        {
            throw new ArgumentException("Each pipeline stage must be a document with one stage operator, such as { $match: { ... } }.",
                nameof(stages));
        }

        return Root(set, isPipeline: true, stages);
    }

    private static IQueryable<TEntity> Root<TEntity, TArgument>(DbSet<TEntity> set, bool isPipeline, TArgument argument)
        where TEntity : class
    {
        var provider = (IAsyncQueryProvider)((IQueryable)set).Provider;
        var holder = new ArgumentHolder<TArgument>(argument);
        var root =
            new FromMqlQueryRootExpression(provider, set.EntityType, isPipeline,
                Expression.Field(Expression.Constant(holder), nameof(ArgumentHolder<TArgument>.Value)));
        return provider.CreateQuery<TEntity>(root);
    }

    private sealed class ArgumentHolder<T>(T value)
    {
#pragma warning disable CA1051 // A public field, as compiler-generated closures have, is what EF Core parameterizes.
        public readonly T Value = value;
#pragma warning restore CA1051
    }
}
