using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Query.Sorting;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>Filter compilation, index hints and matching, shared by find, count, distinct, update, delete and findAndModify.</summary>
internal static class ReadSupport
{
    public static QueryFilter CompileFilter(BsonDocument? filter, Collation? collation, BsonDocument? variables) =>
        filter is null || filter.ElementCount == 0 ? QueryFilter.MatchAll : QueryFilter.Compile(filter, collation, variables);

    /// <summary>Resolves a <c>hint</c> (index name or key pattern); an unknown index is error 2, as on mongod.</summary>
    public static CollectionIndex? ResolveHint(CollectionStore? collection, BsonValue? hint)
    {
        if (hint is null || hint.IsBsonNull || collection is null)
        {
            return null;
        }

        var index = hint switch
        {
            BsonString name => collection.FindIndex(name.Value),
            BsonDocument { ElementCount: 1 } natural when natural.GetElement(0).Name == "$natural" => null,
            BsonDocument keyPattern => collection.FindIndexByKey(keyPattern),
            _ => throw new MongoErrorException(ErrorCodes.FailedToParse, "hint must be a string or an object"),
        };
        if (index is null && !(hint is BsonDocument d && d.Contains("$natural")))
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "hint provided does not correspond to an existing index");
        }

        return index;
    }

    /// <summary>The matching documents (with their match details), in natural order; callers hold the storage lock.</summary>
    public static List<(BsonDocument Document, MatchDetails Details)> Match(IDocumentReader reader, string database, string collection,
        QueryFilter filter, CollectionIndex? hint, CancellationToken cancellationToken) =>
        [.. MatchEach(reader, database, collection, filter, hint, cancellationToken)];

    /// <summary>The matches, streamed as they are found, so a caller that keeps only a few never holds them all.</summary>
    public static IEnumerable<(BsonDocument Document, MatchDetails Details)> MatchEach(
        IDocumentReader reader, string database, string collection, QueryFilter filter, CollectionIndex? hint,
            CancellationToken cancellationToken)
    {
        return MatchEach(reader, reader.Candidates(database, collection, filter, hint), filter, cancellationToken);
    }

    /// <summary>The matches among <paramref name="candidates"/>, streamed in their order.</summary>
    public static IEnumerable<(BsonDocument Document, MatchDetails Details)> MatchEach(
        IDocumentReader reader, IEnumerable<BsonDocument> candidates, QueryFilter filter, CancellationToken cancellationToken)
    {
        var examined = 0;
        try
        {
            foreach (var document in candidates)
            {
                if ((++examined & 0x3FF) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                var details = new MatchDetails();
                if (filter.Matches(document, details))
                {
                    yield return (document, details);
                }
            }
        }
        finally
        {
            // A caller that stops early (a limit without a sort) still reports what it examined.
            reader.CountExamined(examined);
        }
    }

    /// <summary>
    /// The candidates already in the order of <paramref name="sort"/>, from an index (current data only, no collation,
    /// one sort field), or <c>null</c> when they must be sorted in memory.
    /// </summary>
    public static IEnumerable<BsonDocument>? InSortOrder(
        IDocumentReader reader, string database, string collection, QueryFilter filter, CollectionIndex? hint, BsonDocument? sort,
            Collation? collation)
    {
        if (reader is not CurrentDataReader || collation is not null || sort is not { ElementCount: 1 }
            || sort.GetElement(0).Value is not { IsNumeric: true } direction || reader.Collection(database, collection) is not { } store)
        {
            return null;
        }

        return store.CandidatesInSortOrder(filter, hint, sort.GetElement(0).Name, direction.ToDouble() < 0 ? -1 : 1);
    }

    /// <summary>Sorts stably by <paramref name="sort"/> when given.</summary>
    public static void Sort(List<(BsonDocument Document, MatchDetails Details)> matches, BsonDocument? sort, Collation? collation)
    {
        if (sort is null || sort.ElementCount == 0)
        {
            return;
        }

        var ordered = DocumentSortComparer.Compile(sort, collation).Sort(matches, static m => m.Document);
        matches.Clear();
        matches.AddRange(ordered);
    }

    /// <summary>
    /// The page <paramref name="skip"/>..<paramref name="skip"/>+<paramref name="limit"/> of the matches in sort order
    /// (limit 0: no limit). A sort with a limit keeps only the top skip+limit as they stream by, as mongod's bounded
    /// SORT stage does, so its cost is O(n log k) in time and O(k) in memory instead of sorting every match.
    /// </summary>
    public static IEnumerable<(BsonDocument Document, MatchDetails Details)> Page(
        IEnumerable<(BsonDocument Document, MatchDetails Details)> matches, BsonDocument? sort, Collation? collation, long skip, long limit)
    {
        var sorted = matches;
        if (sort is { ElementCount: > 0 })
        {
            var comparer = DocumentSortComparer.Compile(sort, collation);
            var bound = limit > 0 ? skip + limit : long.MaxValue;
            sorted = bound < int.MaxValue / 2
                ? comparer.Top(matches, static m => m.Document, (int)bound)
                : comparer.Sort(matches, static m => m.Document);
        }

        var page = sorted.Skip((int)Math.Min(skip, int.MaxValue));
        return limit > 0 ? page.Take((int)Math.Min(limit, int.MaxValue)) : page;
    }
}
