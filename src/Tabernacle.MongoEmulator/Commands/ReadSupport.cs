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
    public static List<(BsonDocument Document, MatchDetails Details)> Match(IDocumentReader reader, string database, string collection, QueryFilter filter, CollectionIndex? hint, CancellationToken cancellationToken)
    {
        var results = new List<(BsonDocument, MatchDetails)>();
        var examined = 0;
        foreach (var document in reader.Candidates(database, collection, filter, hint))
        {
            if ((++examined & 0x3FF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var details = new MatchDetails();
            if (filter.Matches(document, details))
            {
                results.Add((document, details));
            }
        }

        reader.Storage.CountExamined(examined);
        return results;
    }

    /// <summary>Sorts stably by <paramref name="sort"/> when given.</summary>
    public static void Sort(List<(BsonDocument Document, MatchDetails Details)> matches, BsonDocument? sort, Collation? collation)
    {
        if (sort is null || sort.ElementCount == 0)
        {
            return;
        }

        var comparer = DocumentSortComparer.Compile(sort, collation);
        var ordered = matches.Select((m, i) => (m, i)).OrderBy(x => x.m.Document, comparer).ThenBy(x => x.i).Select(x => x.m).ToList();
        matches.Clear();
        matches.AddRange(ordered);
    }
}
