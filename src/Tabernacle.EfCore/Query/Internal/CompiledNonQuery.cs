using Microsoft.EntityFrameworkCore.Query;
using MongoDB.Bson;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>An <c>updateMany</c>/<c>deleteMany</c> rendered once; parameters bound per execution.</summary>
internal sealed class CompiledNonQuery
{
    private readonly CompiledMongoQuery _filter;
    private readonly BsonValue? _update;
    private readonly IReadOnlyList<Microsoft.EntityFrameworkCore.Metadata.IProperty> _autoNow;

    private CompiledNonQuery(string collectionName, CompiledMongoQuery filter, BsonValue? update,
        IReadOnlyList<Microsoft.EntityFrameworkCore.Metadata.IProperty> autoNow)
    {
        CollectionName = collectionName;
        _filter = filter;
        _update = update;
        _autoNow = autoNow;
    }

    public string CollectionName { get; }

    public bool IsDelete => _update is null;

    public static CompiledNonQuery Compile(MongoNonQueryExpression nonQuery)
    {
        if (nonQuery.Query.Stages.Any(s => s is not MatchStage))
        {
            throw new InvalidOperationException(
                "ExecuteUpdate and ExecuteDelete are translated to updateMany/deleteMany, which take a filter only; remove " +
                    "OrderBy/Skip/Take (or select the documents first and update them by key).");
        }

        var filterQuery = CompiledMongoQuery.Compile(nonQuery.Query);
        if (nonQuery.Setters is null)
        {
            return new CompiledNonQuery(nonQuery.Query.CollectionName, filterQuery, null, []);
        }

        var setters = nonQuery.Setters;

        // [AutoNow] timestamps are set by every update, ExecuteUpdate included, unless the update sets them itself.
        var autoNow = Metadata.Conventions.AutoTimestamps.AutoNowProperties(nonQuery.Query.EntityType)
            .Where(property => setters.All(s => s.Property != property))
            .ToList();
        var renderer = filterQuery.Renderer;
        BsonValue update;
        if (setters.All(s => s.Value is MqlConstantExpression or MqlParameterExpression))
        {
            var set = new BsonDocument();
            foreach (var setter in setters)
            {
                set[setter.Path] = renderer.RenderValue(setter.Value, setter.Property.GetTypeMapping());
            }

            update = new BsonDocument("$set", set);
        }
        else
        {
            // A value computed from the document (x.Stock - 1) needs an update pipeline, where $set takes expressions.
            var set = new BsonDocument();
            foreach (var setter in setters)
            {
                set[setter.Path] = setter.Value is MqlConstantExpression or MqlParameterExpression
                    ? new BsonDocument("$literal", renderer.RenderValue(setter.Value, setter.Property.GetTypeMapping()))
                    : renderer.RenderExpression(setter.Value);
            }

            update = new BsonArray { new BsonDocument("$set", set) };
        }

        return new CompiledNonQuery(nonQuery.Query.CollectionName, filterQuery, update, autoNow);
    }

    /// <summary>The filter and update with this execution's values.</summary>
    public (BsonDocument Filter, BsonValue? Update) Bind(QueryContext queryContext)
    {
        var values = _filter.BindValues(queryContext);
        var update = _update is null ? null : CompiledMongoQuery.Substitute(_update, values);
        if (update is not null && _autoNow.Count > 0)
        {
            // Substitute shares the parts of the template without parameters: the timestamps go into a copy of their own.
            update = update.DeepClone();
            // The same clock and storage format as SaveChanges' timestamps (a DateTimeOffset is a sub-document, not a date).
            var now = Metadata.Conventions.AutoTimestamps.UtcNow(queryContext.Context);
            var set = update is BsonArray pipeline ? pipeline[0]["$set"].AsBsonDocument : update["$set"].AsBsonDocument;
            foreach (var property in _autoNow)
            {
                var value = Storage.Internal.PropertyBson.ToBson(property, Metadata.Conventions.AutoTimestamps.ValueFor(property, now));
                set[Metadata.Internal.FieldPaths.Of(property)] = update is BsonArray ? new BsonDocument("$literal", value) : value;
            }
        }

        return (_filter.BindFilter(values), update);
    }
}
