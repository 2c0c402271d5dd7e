using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Query;
using MongoDB.Bson;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// DefaultIfEmpty: the rows of a query, or one row holding the default value when there are none. MongoDB has no
/// outer join from "one row" as SQL has, so the query becomes a <c>$lookup</c> of its own stages from a single
/// document (<c>$documents: [{}]</c>, appended by <c>$unionWith</c> to a match that reads no document of the
/// collection), and <c>$unwind</c> with <c>preserveNullAndEmptyArrays</c> keeps that document when the lookup found
/// nothing. The same unwind gives SelectMany over <c>subquery.DefaultIfEmpty()</c> (an outer apply) its row per outer
/// document without matches.
/// </summary>
internal static class DefaultIfEmptyTranslator
{
    /// <summary>The query of <paramref name="source"/>'s rows or one default row, and the shaper of its rows.</summary>
    public static (MongoQueryExpression Query, Expression Shaper) Apply(MongoQueryExpression source, Expression shaper)
    {
        var query = new MongoQueryExpression(source.EntityType);

        // mongod answers a constant false $match without reading the collection; the one row comes from $documents.
        query.ApplyPredicate(new MqlConstantExpression(false, typeof(bool)));
        query.AddStage(new BsonStage(new BsonDocument(
            "$unionWith",
            new BsonDocument("pipeline", new BsonArray { new BsonDocument("$documents", new BsonArray { new BsonDocument() }) }))));
        var element = query.NewTemporaryField("d");
        query.AddStage(new LookupStage(element, source, null, null, null, null));
        query.AddStage(new UnwindStage(element, PreserveNullAndEmptyArrays: true));
        var joined = query.RootDocument.Joined(source.EntityType, element);
        var rebased = DocumentRebaser.Rebase(shaper, source.RootDocument, joined, element + ".");
        return (query, OrDefault(query, element, rebased));
    }

    /// <summary>
    /// The shaper of a row whose <paramref name="element"/> (unwound with <c>preserveNullAndEmptyArrays</c>) may be
    /// missing: an entity is then null and a read value its type's default, as LINQ's default element; any other shape
    /// (an anonymous type, a constant, client code) tests a flag the query adds to its rows.
    /// </summary>
    public static Expression OrDefault(MongoQueryExpression query, string element, Expression shaper)
    {
        switch (shaper)
        {
            case StructuralTypeShaperExpression structural:
                return structural.MakeNullable();
            case IncludeExpression include when Entity(include) is not null:
                return include.Update(OrDefault(query, element, include.EntityExpression), include.NavigationExpression);
            case DocumentValueExpression:
                return shaper;
        }

        var missing = query.NewTemporaryField("e");
        var isMissing = new MqlRawExpression(new BsonDocument("$not", new BsonArray { "$" + element }), typeof(bool));
        query.AddStage(new AddFieldsStage(missing, isMissing));
        var flag = new DocumentValueExpression(missing, typeof(bool), null, null);
        return Expression.Condition(flag, Expression.Default(shaper.Type), shaper);
    }

    private static StructuralTypeShaperExpression? Entity(Expression shaper) => shaper switch
    {
        StructuralTypeShaperExpression structural => structural,
        IncludeExpression include => Entity(include.EntityExpression),
        _ => null,
    };

    /// <summary>
    /// Whether the query's stages read fields of another query's rows (a correlated subquery): inside the <c>$lookup</c>
    /// that <see cref="Apply"/> adds, those would need the let variables of the lookup that joins the subquery.
    /// </summary>
    public static bool IsCorrelated(MongoQueryExpression query) =>
        query.Stages.Any(stage => MqlRewriter.FindField(
            stage, field => field.Root is not null && !ReferenceEquals(field.Root, query.RootDocument)) is not null);

    /// <summary><c>source.DefaultIfEmpty()</c> (without a default value) as its source, or <c>null</c>.</summary>
    public static Expression? Source(Expression expression) =>
        expression is MethodCallExpression { Method.Name: nameof(Queryable.DefaultIfEmpty), Arguments.Count: 1 } call
            ? call.Arguments[0]
            : null;
}
