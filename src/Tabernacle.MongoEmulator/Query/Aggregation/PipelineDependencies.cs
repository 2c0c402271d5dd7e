using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Aggregation;

/// <summary>
/// The top-level fields a pipeline reads from the collection's documents, found as mongod's dependency analysis finds
/// them, so that a scan decodes only those from the stored BSON: a <c>$group</c> of two fields over a collection need
/// not build every document's other values. Only pipelines whose documents end in a stage that keeps nothing else
/// (<c>$group</c>, an inclusion <c>$project</c>, <c>$count</c>) after <c>$match</c>, <c>$sort</c>, <c>$skip</c> and
/// <c>$limit</c> qualify; anything that may read a field it does not name (<c>$$ROOT</c>, <c>$$CURRENT</c>,
/// <c>$getField</c>, JavaScript, <c>$meta</c>, an exclusion) means the whole document. Naming more fields than are
/// used is always safe; the analysis only ever errs that way.
/// </summary>
internal static class PipelineDependencies
{
    /// <summary>
    /// The top-level field names (always with <c>_id</c>) that <paramref name="leadingFilter"/> (a <c>$match</c>
    /// answered before the pipeline, or null) and <paramref name="stages"/> read, or <c>null</c> when they may need
    /// whole documents.
    /// </summary>
    public static IReadOnlySet<string>? TopLevelFields(BsonDocument? leadingFilter, IReadOnlyList<BsonDocument> stages)
    {
        var fields = new HashSet<string>(StringComparer.Ordinal) { "_id" };
        if (leadingFilter is not null && !AddFilter(leadingFilter, fields))
        {
            return null;
        }

        foreach (var stage in stages)
        {
            if (stage.ElementCount != 1)
            {
                return null;
            }

            var (name, specification) = (stage.GetElement(0).Name, stage.GetElement(0).Value);
            switch (name)
            {
                case "$match" when specification is BsonDocument filter && AddFilter(filter, fields):
                case "$limit" or "$skip":
                case "$sort" when specification is BsonDocument sort && AddSortKeys(sort, fields):
                    continue;
                case "$count":
                    return fields;
                case "$group" when specification is BsonDocument group && AddExpression(group, fields):
                    return fields;
                case "$project" when specification is BsonDocument project && AddInclusion(project, fields):
                    return fields;
                default:
                    return null;
            }
        }

        // The documents themselves come out of the pipeline.
        return null;
    }

    private static string TopLevel(string path)
    {
        var dot = path.IndexOf('.', StringComparison.Ordinal);
        return dot < 0 ? path : path[..dot];
    }

    private static bool AddFilter(BsonDocument filter, HashSet<string> fields)
    {
        foreach (var element in filter)
        {
            switch (element.Name)
            {
                case "$and" or "$or" or "$nor":
                    if (element.Value is not BsonArray clauses
                        || !clauses.All(clause => clause is BsonDocument document && AddFilter(document, fields)))
                    {
                        return false;
                    }

                    break;
                case "$expr":
                    if (!AddExpression(element.Value, fields))
                    {
                        return false;
                    }

                    break;
                case "$comment":
                    break;
                default:
                    // $where, $text, $jsonSchema and the like read what they like.
                    if (element.Name.StartsWith('$'))
                    {
                        return false;
                    }

                    // Operators under a field ($elemMatch, $exists...) read within that field only.
                    fields.Add(TopLevel(element.Name));
                    break;
            }
        }

        return true;
    }

    private static bool AddSortKeys(BsonDocument sort, HashSet<string> fields)
    {
        foreach (var element in sort)
        {
            if (element.Value is BsonDocument)
            {
                // { $meta: ... }
                return false;
            }

            fields.Add(TopLevel(element.Name));
        }

        return true;
    }

    // An inclusion projection keeps _id and the fields it names or computes; an exclusion (top-level or nested)
    // keeps every field it does not name, so it needs whole documents.
    private static bool AddInclusion(BsonDocument projection, HashSet<string> fields)
    {
        foreach (var element in projection)
        {
            var value = element.Value;
            if (value.IsNumeric || value.IsBoolean)
            {
                if (!value.ToBoolean() && element.Name != "_id")
                {
                    return false;
                }
            }
            else if (value is BsonDocument nested && !IsOperator(nested) && !IsInclusion(nested))
            {
                return false;
            }

            fields.Add(TopLevel(element.Name));
            if (!AddExpression(value, fields))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsOperator(BsonDocument document) => document.ElementCount > 0 && document.GetElement(0).Name.StartsWith('$');

    private static bool IsInclusion(BsonDocument nested) => nested.All(e =>
        e.Value is BsonDocument inner ? IsOperator(inner) || IsInclusion(inner)
        : !(e.Value.IsNumeric || e.Value.IsBoolean) || e.Value.ToBoolean());

    // Field paths ("$a.b") in an expression, at any depth. Operators that read the current document without naming
    // a field, and variables bound to it, need the whole document.
    private static bool AddExpression(BsonValue expression, HashSet<string> fields)
    {
        switch (expression)
        {
            case BsonString text when text.Value.StartsWith("$$", StringComparison.Ordinal):
                var variable = TopLevel(text.Value[2..]);
                return variable is not ("ROOT" or "CURRENT");
            case BsonString text when text.Value.StartsWith('$'):
                fields.Add(TopLevel(text.Value[1..]));
                return true;
            case BsonArray items:
                return items.All(item => AddExpression(item, fields));
            case BsonDocument document:
                foreach (var element in document)
                {
                    if (element.Name is "$getField" or "$function" or "$accumulator" or "$where" or "$meta")
                    {
                        return false;
                    }

                    // $top, $bottom, $topN and $bottomN sort by fields named without a "$".
                    if (element.Name == "sortBy" && element.Value is BsonDocument sortBy && !AddSortKeys(sortBy, fields))
                    {
                        return false;
                    }

                    if (!AddExpression(element.Value, fields))
                    {
                        return false;
                    }
                }

                return true;
            default:
                return true;
        }
    }
}
