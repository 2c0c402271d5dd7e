using MongoDB.Bson;

namespace Tabernacle.EfCore.ChangeFeeds.Internal;

/// <summary>
/// Moves a query's find filter onto a change event's full document (<c>title</c> becomes <c>fullDocument.title</c>,
/// <c>$title</c> in an expression becomes <c>$fullDocument.title</c>), so the server filters the events.
/// </summary>
internal static class ChangeFeedFilter
{
    /// <summary>
    /// The <c>$match</c> of a feed: events whose full document matches <paramref name="filter"/>, and with
    /// <paramref name="matchDeletesOnPreImage"/> deletes whose pre-image matches it (a delete has no full document).
    /// </summary>
    public static BsonDocument? Match(BsonDocument filter, bool matchDeletesOnPreImage)
    {
        if (filter.ElementCount == 0)
        {
            return null;
        }

        var onDocument = Rebase(filter, "fullDocument");
        if (!matchDeletesOnPreImage)
        {
            return onDocument;
        }

        var deletes = new BsonDocument("operationType", "delete").AddRange(Rebase(filter, "fullDocumentBeforeChange"));
        return new BsonDocument("$or", new BsonArray { onDocument, deletes });
    }

    public static BsonDocument Rebase(BsonDocument filter, string root)
    {
        var result = new BsonDocument();
        foreach (var element in filter)
        {
            switch (element.Name)
            {
                case "$and" or "$or" or "$nor":
                    var branches = element.Value.AsBsonArray.Select(v => (BsonValue)Rebase(v.AsBsonDocument, root));
                    result.Add(element.Name, new BsonArray(branches));
                    break;
                case "$expr":
                    result.Add(element.Name, RebaseExpression(element.Value, root));
                    break;
                case "$comment":
                    result.Add(element);
                    break;
                case var name when name.StartsWith('$'):
                    throw new InvalidOperationException($"The filter operator '{name}' cannot be applied to a change feed's documents.");
                default:
                    result.Add($"{root}.{element.Name}", element.Value);
                    break;
            }
        }

        return result;
    }

    private static BsonValue RebaseExpression(BsonValue expression, string root) => expression switch
    {
        BsonString { Value: "$$ROOT" or "$$CURRENT" } => new BsonString("$" + root),
        BsonString s when s.Value.StartsWith("$$ROOT.", StringComparison.Ordinal) => new BsonString($"${root}.{s.Value[7..]}"),
        BsonString s when s.Value.StartsWith("$$CURRENT.", StringComparison.Ordinal) => new BsonString($"${root}.{s.Value[10..]}"),
        BsonString s when s.Value.Length > 1 && s.Value[0] == '$' && s.Value[1] != '$' => new BsonString($"${root}.{s.Value[1..]}"),
        BsonDocument d when d.ElementCount == 1 && d.GetElement(0).Name == "$literal" => d,
        BsonDocument d => new BsonDocument(d.Select(e => new BsonElement(e.Name, RebaseExpression(e.Value, root)))),
        BsonArray a => new BsonArray(a.Select(v => RebaseExpression(v, root))),
        _ => expression,
    };
}
