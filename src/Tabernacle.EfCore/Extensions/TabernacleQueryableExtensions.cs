using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore.Query.Internal;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore;

/// <summary>
/// Per-query replica-set control: where a query reads (read preference), what it may read (read concern), and how
/// durable <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> writes are (write concern). They apply to every way of running the
/// query (ToList, First, Count, Any, Sum, AsAsyncEnumerable...), and their values are query parameters, so one
/// compiled query serves every value.
/// </summary>
public static class TabernacleQueryableExtensions
{
    internal static readonly MethodInfo WithReadPreferenceMethod =
        typeof(TabernacleQueryableExtensions).GetMethod(nameof(WithReadPreference),
            [typeof(IQueryable<>).MakeGenericType(Type.MakeGenericMethodParameter(0)), typeof(ReadPreference)])!;

    internal static readonly MethodInfo WithReadConcernMethod = typeof(TabernacleQueryableExtensions).GetMethod(nameof(WithReadConcern))!;

    internal static readonly MethodInfo WithWriteConcernMethod = typeof(TabernacleQueryableExtensions).GetMethod(nameof(WithWriteConcern))!;

    /// <summary>Reads this query's documents according to <paramref name="readPreference"/> (e.g.
    /// <c>ReadPreference.Secondary</c>).</summary>
    /// <exception cref="ArgumentException">The read preference breaks one of MongoDB's rules (tag sets or maxStaleness with primary,
    /// maxStaleness under 90 seconds).</exception>
    public static IQueryable<TSource> WithReadPreference<TSource>(this IQueryable<TSource> source, ReadPreference readPreference)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(readPreference);
        ReadPreferenceRules.Validate(readPreference);
        return Apply(source, WithReadPreferenceMethod, readPreference);
    }

    /// <summary>Reads this query's documents from members of <paramref name="mode"/>, optionally tagged and at most <paramref
    /// name="maxStaleness"/> behind.</summary>
    /// <exception cref="ArgumentException">The combination breaks one of MongoDB's rules (tag sets or maxStaleness with primary,
    /// maxStaleness under 90 seconds).</exception>
    public static IQueryable<TSource> WithReadPreference<TSource>(this IQueryable<TSource> source, ReadPreferenceMode mode,
        IEnumerable<TagSet>? tagSets = null, TimeSpan? maxStaleness = null)
    {
        ArgumentNullException.ThrowIfNull(source);
        var tags = tagSets?.ToList() ?? [];
        if (mode == ReadPreferenceMode.Primary && tags.Any(t => t.Tags.Count > 0))
        {
            throw new ArgumentException(
                "A 'primary' read preference cannot have tag sets: MongoDB only applies tag sets to modes that may read from " +
                    "secondaries. Use primaryPreferred, secondary, secondaryPreferred or nearest.", nameof(tagSets));
        }

        if (mode == ReadPreferenceMode.Primary && maxStaleness is not null)
        {
            throw new ArgumentException(
                "A 'primary' read preference cannot have maxStaleness: MongoDB only applies it to modes that may read from secondaries.",
                    nameof(maxStaleness));
        }

        if (maxStaleness is { } staleness && staleness < ReadPreferenceRules.MinimumMaxStaleness)
        {
            throw new ArgumentException(
                $"maxStaleness must be at least 90 seconds (MongoDB's minimum); {staleness.TotalSeconds} seconds was given.",
                    nameof(maxStaleness));
        }

        return WithReadPreference(source, new ReadPreference(mode, tags, maxStaleness));
    }

    /// <summary>Reads this query's documents with <paramref name="readConcern"/> (e.g. <c>ReadConcern.Majority</c>).</summary>
    public static IQueryable<TSource> WithReadConcern<TSource>(this IQueryable<TSource> source, ReadConcern readConcern)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(readConcern);
        return Apply(source, WithReadConcernMethod, readConcern);
    }

    /// <summary>Writes the <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> of this query with <paramref name="writeConcern"/>.</summary>
    public static IQueryable<TSource> WithWriteConcern<TSource>(this IQueryable<TSource> source, WriteConcern writeConcern)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(writeConcern);
        return Apply(source, WithWriteConcernMethod, writeConcern);
    }

    private static IQueryable<TSource> Apply<TSource, TOption>(IQueryable<TSource> source, MethodInfo method, TOption value)
    {
        if (source.Provider is not EntityQueryProvider)
        {
            // Not an EF Core query (LINQ to Objects in a test, say): replica-set options have no meaning there.
            return source;
        }

        // The value is read through a closure field, as a captured variable is, so EF Core turns it into a query parameter.
        var holder = new OptionHolder<TOption>(value);
        var argument = Expression.Field(Expression.Constant(holder), nameof(OptionHolder<TOption>.Value));
        return source.Provider.CreateQuery<TSource>(
            Expression.Call(null, method.MakeGenericMethod(typeof(TSource)), source.Expression, argument));
    }

    private sealed class OptionHolder<T>(T value)
    {
#pragma warning disable CA1051 // A public field, as compiler-generated closures have, is what EF Core parameterizes.
        public readonly T Value = value;
#pragma warning restore CA1051
    }
}
