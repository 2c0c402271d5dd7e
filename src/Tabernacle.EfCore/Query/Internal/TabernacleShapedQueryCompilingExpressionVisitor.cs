using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using Tabernacle.EfCore.Query.Internal.Expressions;
using static System.Linq.Expressions.Expression;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Compiles a translated query into what runs: the MQL rendered once (<see cref="CompiledMongoQuery"/>) and a shaper
/// delegate that turns each result document into the query's result type, using EF Core's materializers for entities.
/// </summary>
internal sealed class TabernacleShapedQueryCompilingExpressionVisitor(
    ShapedQueryCompilingExpressionVisitorDependencies dependencies,
    TabernacleQueryCompilationContext queryCompilationContext)
    : ShapedQueryCompilingExpressionVisitor(dependencies, queryCompilationContext)
{
    protected override Expression VisitShapedQuery(ShapedQueryExpression shapedQueryExpression)
    {
        var query = (MongoQueryExpression)shapedQueryExpression.QueryExpression;
        var compiled = CompiledMongoQuery.Compile(query);
        var row = Parameter(typeof(BsonDocument), "document");
        var tracking = QueryCompilationContext.QueryTrackingBehavior == QueryTrackingBehavior.TrackAll;

        // The user's projection is checked for captured constants before the provider adds its own (entity types,
        // mappings, paths), which are part of the model and cannot leak.
        base.VerifyNoClientConstant(shapedQueryExpression.ShaperExpression);
        var injector = new DocumentInjector(row, tracking);
        var body = injector.Inject(shapedQueryExpression.ShaperExpression);
        var block = Block(body.Type, injector.Variables, [.. injector.Assignments, body]);
        var materialized = InjectStructuralTypeMaterializers(block);
        var shaper = Lambda(materialized, QueryCompilationContext.QueryContextParameter, row);

        var enumerableType = typeof(QueryingEnumerable<>).MakeGenericType(shaper.ReturnType);
        return New(
            enumerableType.GetConstructors()[0],
            Convert(QueryCompilationContext.QueryContextParameter, typeof(TabernacleQueryContext)),
            Constant(compiled),
            Constant(queryCompilationContext.QueryOptions),
            Constant(shaper.Compile()),
            Constant(QueryCompilationContext.ContextType),
            Constant(QueryCompilationContext.QueryTrackingBehavior == QueryTrackingBehavior.NoTrackingWithIdentityResolution),
            Constant(Dependencies.CoreSingletonOptions.AreThreadSafetyChecksEnabled));
    }

    private static readonly MethodInfo ExecuteNonQueryMethod = typeof(NonQueryExecutor).GetMethod(nameof(NonQueryExecutor.Execute))!;
    private static readonly MethodInfo ExecuteNonQueryAsyncMethod = typeof(NonQueryExecutor).GetMethod(nameof(NonQueryExecutor.ExecuteAsync))!;

    protected override Expression VisitExtension(Expression extensionExpression)
    {
        if (extensionExpression is MongoNonQueryExpression nonQuery)
        {
            var compiled = CompiledNonQuery.Compile(nonQuery);
            return Call(
                QueryCompilationContext.IsAsync ? ExecuteNonQueryAsyncMethod : ExecuteNonQueryMethod,
                Convert(QueryCompilationContext.QueryContextParameter, typeof(TabernacleQueryContext)),
                Constant(compiled),
                Constant(queryCompilationContext.QueryOptions));
        }

        return base.VisitExtension(extensionExpression);
    }

    protected override void VerifyNoClientConstant(Expression expression)
    {
        // Done on the user's shaper in VisitShapedQuery, before the provider's own constants are added.
    }

    /// <summary>
    /// Replaces the provider's placeholders in a shaper with code: each entity's document and value buffer become
    /// variables assigned up front (owners before what they embed), scalars become reads of the row.
    /// </summary>
    private sealed class DocumentInjector(ParameterExpression row, bool tracking) : ExpressionVisitor
    {
        private static readonly MethodInfo CreateMethod = typeof(DocumentValueBuffers).GetMethod(nameof(DocumentValueBuffers.Create))!;
        private static readonly MethodInfo CreateEmbeddedMethod = typeof(DocumentValueBuffers).GetMethod(nameof(DocumentValueBuffers.CreateEmbedded))!;
        private static readonly MethodInfo EmbeddedMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.Embedded))!;
        private static readonly MethodInfo ReadValueMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.ReadValue))!;
        private static readonly MethodInfo MaterializeItemsMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.MaterializeItems))!;
        private static readonly MethodInfo ToCollectionMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.ToCollection))!;
        private static readonly MethodInfo IncludeReferenceMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.IncludeOwnedReference))!;
        private static readonly MethodInfo IncludeCollectionMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.IncludeOwnedCollection))!;

        private readonly Dictionary<string, (ParameterExpression Document, ParameterExpression Buffer)> _bindings = new(StringComparer.Ordinal);
        private readonly Dictionary<EntityDocumentExpression, (ParameterExpression Document, ParameterExpression Buffer)> _scoped = [];

        public List<ParameterExpression> Variables { get; } = [];

        public List<Expression> Assignments { get; } = [];

        public Expression Inject(Expression shaper) => Visit(shaper);

        private DocumentInjector Child() => new(row, tracking);

        protected override Expression VisitExtension(Expression node)
        {
            switch (node)
            {
                case StructuralTypeShaperExpression { ValueBufferExpression: EntityDocumentExpression document } shaper:
                {
                    var (documentVariable, buffer) = Bind(document);
                    var updated = shaper.Update(buffer);
                    return document.Owner is null && document.Path.Length == 0 && _scoped.Count == 0 && !shaper.IsNullable
                        ? updated
                        : Condition(Equal(documentVariable, Constant(null, typeof(BsonDocument))), Default(shaper.Type), updated);
                }

                case DocumentValueExpression value:
                    return Call(ReadValueMethod.MakeGenericMethod(value.Type), row, Constant(value.Path.Split('.')), Constant(value.TypeMapping, typeof(CoreTypeMapping)));

                case EmbeddedCollectionExpression collection:
                {
                    var items = MaterializeItems(collection);
                    return collection.Type.IsAssignableFrom(items.Type)
                        ? items
                        : Call(ToCollectionMethod.MakeGenericMethod(collection.Navigation.TargetEntityType.ClrType, collection.Type), items);
                }

                case IncludeExpression include when include.Navigation is INavigation navigation:
                {
                    var entity = Visit(include.EntityExpression);
                    if (navigation.IsCollection)
                    {
                        var items = include.NavigationExpression is EmbeddedCollectionExpression embedded
                            ? MaterializeItems(embedded)
                            : throw new InvalidOperationException($"The included collection '{navigation.Name}' is not embedded.");
                        return Call(IncludeCollectionMethod.MakeGenericMethod(entity.Type, navigation.TargetEntityType.ClrType), entity, items, Constant(navigation));
                    }

                    var related = Visit(include.NavigationExpression);
                    return Call(IncludeReferenceMethod.MakeGenericMethod(entity.Type, related.Type), entity, related, Constant(navigation));
                }

                default:
                    return base.VisitExtension(node);
            }
        }

        private Expression MaterializeItems(EmbeddedCollectionExpression collection)
        {
            var (ownerDocument, ownerBuffer) = Bind(collection.Owner);
            var itemDocument = Parameter(typeof(BsonDocument), "item");
            var ordinal = Parameter(typeof(int), "ordinal");
            var inner = Child();
            var itemBuffer = Variable(typeof(ValueBuffer), "itemBuffer");
            inner._scoped[collection.ItemDocument] = (itemDocument, itemBuffer);
            inner.Variables.Add(itemBuffer);
            inner.Assignments.Add(Assign(itemBuffer, Call(CreateEmbeddedMethod, itemDocument, Constant(collection.Navigation.TargetEntityType), ownerBuffer, ordinal)));
            var body = inner.Visit(collection.InnerShaper);
            var lambda = Lambda(Block(body.Type, inner.Variables, [.. inner.Assignments, body]), itemDocument, ordinal);
            var elementType = collection.Navigation.TargetEntityType.ClrType;
            return Call(
                MaterializeItemsMethod.MakeGenericMethod(elementType),
                ownerDocument,
                Constant(collection.Navigation.GetElementName()),
                Lambda(typeof(Func<,,>).MakeGenericType(typeof(BsonDocument), typeof(int), elementType), Convert(lambda.Body, elementType), lambda.Parameters));
        }

        private (ParameterExpression Document, ParameterExpression Buffer) Bind(EntityDocumentExpression document)
        {
            if (_scoped.TryGetValue(document, out var scoped))
            {
                return scoped;
            }

            var key = Key(document);
            if (_bindings.TryGetValue(key, out var bound))
            {
                return bound;
            }

            var documentVariable = Variable(typeof(BsonDocument), "document" + _bindings.Count);
            var buffer = Variable(typeof(ValueBuffer), "buffer" + _bindings.Count);
            Variables.Add(documentVariable);
            Variables.Add(buffer);
            if (document.Owner is null)
            {
                Assignments.Add(Assign(documentVariable, row));
                Assignments.Add(Assign(buffer, Call(CreateMethod, documentVariable, Constant(document.EntityType))));
            }
            else
            {
                var (ownerDocument, ownerBuffer) = Bind(document.Owner);
                Assignments.Add(Assign(documentVariable, Call(EmbeddedMethod, ownerDocument, Constant(document.Navigation!.GetElementName()))));
                Assignments.Add(Assign(buffer, Condition(
                    Equal(documentVariable, Constant(null, typeof(BsonDocument))),
                    Constant(ValueBuffer.Empty),
                    Call(CreateEmbeddedMethod, documentVariable, Constant(document.EntityType), ownerBuffer, Constant(0)))));
            }

            _bindings[key] = (documentVariable, buffer);
            return (documentVariable, buffer);
        }

        private string Key(EntityDocumentExpression document) =>
            document.Owner is null ? "/" + document.Path : Key(document.Owner) + "/" + document.Navigation!.Name;
    }
}
