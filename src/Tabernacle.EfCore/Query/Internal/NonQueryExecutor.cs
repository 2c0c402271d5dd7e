using MongoDB.Bson;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>Runs a compiled <c>ExecuteUpdate</c>/<c>ExecuteDelete</c> through the execution seam, with the query's write concern.</summary>
internal static class NonQueryExecutor
{
    public static int Execute(TabernacleQueryContext queryContext, CompiledNonQuery nonQuery, TabernacleQueryOptions options)
    {
        var (filter, update) = nonQuery.Bind(queryContext);
        var writeConcern = QueryOptionValues.WriteConcern(queryContext, options);
        var client = queryContext.Client;
        var affected = update is null
            ? client.DeleteMany(nonQuery.CollectionName, filter, writeConcern)
            : client.UpdateMany(nonQuery.CollectionName, filter, update, writeConcern);
        return ToCount(affected);
    }

    public static async Task<int> ExecuteAsync(TabernacleQueryContext queryContext, CompiledNonQuery nonQuery,
        TabernacleQueryOptions options)
    {
        var (filter, update) = nonQuery.Bind(queryContext);
        var writeConcern = QueryOptionValues.WriteConcern(queryContext, options);
        var client = queryContext.Client;
        var affected = update is null
            ? await client.DeleteManyAsync(nonQuery.CollectionName, filter, writeConcern,
                queryContext.CancellationToken).ConfigureAwait(false)
            : await client.UpdateManyAsync(nonQuery.CollectionName, filter, update, writeConcern,
                queryContext.CancellationToken).ConfigureAwait(false);
        return ToCount(affected);
    }

    // An unacknowledged (w:0) write reports no count; EF's contract is a number, so it reports -1 as ADO.NET does.
    private static int ToCount(long affected) => affected < 0 ? -1 : (int)Math.Min(affected, int.MaxValue);
}

