using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using MongoDB.Bson.Serialization.Serializers;
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
        if (query.ResultOperator == ResultOperator.None)
        {
            shapedQueryExpression = shapedQueryExpression.UpdateShaperExpression(
                FinalGroupings.Replace(shapedQueryExpression.ShaperExpression, query));
        }

        if (ProjectionBinder.GroupingFinder.Contains(shapedQueryExpression.ShaperExpression))
        {
            // GroupBy(...).ToList() and the like: groups exist only inside $group, never as results.
            throw new InvalidOperationException(
                CoreStrings.TranslationFailedWithDetails(shapedQueryExpression.ShaperExpression.Print(),
                    ProjectionBinder.GroupingFinder.Details));
        }

        var compiled = CompiledMongoQuery.Compile(query, ProjectedFields.Of(shapedQueryExpression.ShaperExpression));
        var tracking = QueryCompilationContext.QueryTrackingBehavior == QueryTrackingBehavior.TrackAll;

        // The user's projection is checked for captured constants before the provider adds its own (entity types,
        // mappings, paths), which are part of the model and cannot leak.
        base.VerifyNoClientConstant(shapedQueryExpression.ShaperExpression);

        // Most shapes (entities with scalars, complex properties, owned references and owned collections, hierarchies,
        // projected values) are decoded from the wire into value buffers by a serializer compiled for the shape; the others
        // (joined collections, joined arrays, owned types with derived types) read a BsonDocument per result.
        var identityMap = QueryCompilationContext.QueryTrackingBehavior != QueryTrackingBehavior.NoTracking;
        var (row, body, variables, assignments, serializer) =
            WireInjection(shapedQueryExpression.ShaperExpression, tracking, identityMap) is { } wire
                ? wire
                : DocumentInjection(shapedQueryExpression.ShaperExpression, tracking);
        var block = Block(body.Type, variables, [.. assignments, body]);
        var materialized = InjectStructuralTypeMaterializers(block);
        if (serializer is WireRowSerializer wireSerializer)
        {
            // EF Core's materializer reads the value buffer through ValueBufferTryReadValue; values the serializer put in
            // the row's bank are read from there with their own type instead.
            var rewriter = new WireTypedReadRewriter();
            materialized = rewriter.Visit(materialized);
            wireSerializer.ShaperTypedReads = rewriter.Replaced;
        }

        var shaper = Lambda(materialized, QueryCompilationContext.QueryContextParameter, row);

        var enumerableType = typeof(QueryingEnumerable<,>).MakeGenericType(row.Type, shaper.ReturnType);
        return New(
            enumerableType.GetConstructors()[0],
            Convert(QueryCompilationContext.QueryContextParameter, typeof(TabernacleQueryContext)),
            Constant(compiled),
            Constant(queryCompilationContext.QueryOptions),
            Constant(shaper.Compile()),
            Constant(serializer, typeof(MongoDB.Bson.Serialization.IBsonSerializer<>).MakeGenericType(row.Type)),
            Constant(QueryCompilationContext.ContextType),
            Constant(QueryCompilationContext.QueryTrackingBehavior == QueryTrackingBehavior.NoTrackingWithIdentityResolution),
            Constant(Dependencies.CoreSingletonOptions.AreThreadSafetyChecksEnabled),
            Constant(QueryCompilationContext.QueryTrackingBehavior != QueryTrackingBehavior.NoTracking
                && EntityShaperFinder.Contains(shapedQueryExpression.ShaperExpression)));
    }

    /// <summary>Whether a shaper materializes entities (which a tracking query gives to the change tracker).</summary>
    private sealed class EntityShaperFinder : ExpressionVisitor
    {
        private bool _found;

        public static bool Contains(Expression shaper)
        {
            var finder = new EntityShaperFinder();
            finder.Visit(shaper);
            return finder._found;
        }

        public override Expression? Visit(Expression? node) => _found ? node : base.Visit(node);

        protected override Expression VisitExtension(Expression node)
        {
            if (node is StructuralTypeShaperExpression { StructuralType: IEntityType }
                or EmbeddedCollectionExpression
                or JoinedCollectionExpression)
            {
                _found = true;
                return node;
            }

            return node is EntityDocumentExpression ? node : base.VisitExtension(node);
        }
    }

    private static (ParameterExpression, Expression, List<ParameterExpression>, List<Expression>, object) DocumentInjection(
        Expression shaper, bool tracking)
    {
        var row = Parameter(typeof(BsonDocument), "document");
        var injector = new DocumentInjector(row, tracking);
        var body = injector.Inject(shaper);
        return (row, body, injector.Variables, injector.Assignments, BsonDocumentSerializer.Instance);
    }

    private static (ParameterExpression, Expression, List<ParameterExpression>, List<Expression>, object)? WireInjection(
        Expression shaper, bool tracking, bool identityMap)
    {
        try
        {
            var roots = RootDocumentFinder.Find(shaper);
            if (roots.Count > 1)
            {
                return null;
            }

            var shape = new WireShape(roots.Count == 0 ? null : roots.First(), boxKeys: identityMap);
            var row = Parameter(typeof(object?[]), "row");
            var injector = new DocumentInjector(row, tracking, shape);
            var body = injector.Inject(shaper);
            return (row, body, injector.Variables, injector.Assignments, shape.Build());
        }
        catch (Exception exception)
            when (exception is WireShapeNotSupportedException or ArgumentException or InvalidOperationException)
        {
            // The document path handles every shape: a shape the wire reader does not know (or a shaper node added
            // for the document path only, whose code expects a BsonDocument row) reads through it, only slower.
            return null;
        }
    }

    /// <summary>The entity types of the row documents a shaper reads (the query's root; more than one is not read from the wire).</summary>
    private sealed class RootDocumentFinder : ExpressionVisitor
    {
        private readonly HashSet<IEntityType> _types = [];

        public static HashSet<IEntityType> Find(Expression shaper)
        {
            var finder = new RootDocumentFinder();
            finder.Visit(shaper);
            return finder._types;
        }

        protected override Expression VisitExtension(Expression node)
        {
            if (node is EntityDocumentExpression { Owner: null, Path: "" } document)
            {
                _types.Add(document.EntityType);
            }
            else if (node is StructuralTypeShaperExpression { ValueBufferExpression: EntityDocumentExpression inner })
            {
                Visit(inner);
            }
            else if (node is EntityDocumentExpression { Owner: { } owner, JoinedElement: null })
            {
                // An owned document is read with its owner; a joined one only holds the row's element, and the row may
                // not be an entity of its own (DefaultIfEmpty's single row, a set operation's moved entities).
                Visit(owner);
            }

            return node is EntityDocumentExpression ? node : base.VisitExtension(node);
        }
    }

    private static readonly MethodInfo ExecuteNonQueryMethod = typeof(NonQueryExecutor).GetMethod(nameof(NonQueryExecutor.Execute))!;
    private static readonly MethodInfo ExecuteNonQueryAsyncMethod =
        typeof(NonQueryExecutor).GetMethod(nameof(NonQueryExecutor.ExecuteAsync))!;

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
    private sealed class DocumentInjector(ParameterExpression row, bool tracking, WireShape? wire = null) : ExpressionVisitor
    {
        private static readonly MethodInfo OwnedRowMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.OwnedRow))!;
        private static readonly MethodInfo ReadRowValueMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.ReadRowValue))!;
        private static readonly MethodInfo RowValueMethod = typeof(WireBank).GetMethod(nameof(WireBank.RowValue))!;
        private static readonly MethodInfo RowNullableMethod = typeof(WireBank).GetMethod(nameof(WireBank.RowNullable))!;
        private static readonly ConstructorInfo ValueBufferConstructor = typeof(ValueBuffer).GetConstructor([typeof(object?[])])!;
        private readonly Dictionary<string, object> _wireNodes = new(StringComparer.Ordinal);

        // The wire nodes of the item documents of collections this injector shapes (keyed by the document itself: a
        // joined item is a root of its own, whose key would be the row's).
        private readonly Dictionary<EntityDocumentExpression, object> _scopedNodes = [];

        private object NodeOf(EntityDocumentExpression document) =>
            _scopedNodes.TryGetValue(document, out var node) ? node : _wireNodes[Key(document)];

        // The type of a document variable: the document, or on the wire path the row (value buffer) read from it.
        private Type DocumentType => wire is null ? typeof(BsonDocument) : typeof(object?[]);

        private static readonly MethodInfo CreateMethod = typeof(DocumentValueBuffers).GetMethod(nameof(DocumentValueBuffers.Create))!;
        private static readonly MethodInfo CreateEmbeddedMethod =
            typeof(DocumentValueBuffers).GetMethod(nameof(DocumentValueBuffers.CreateEmbedded))!;
        private static readonly MethodInfo EmbeddedMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.Embedded))!;
        private static readonly MethodInfo ReadValueMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.ReadValue))!;
        private static readonly MethodInfo MaterializeItemsMethod =
            typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.MaterializeItems))!;
        private static readonly MethodInfo ToCollectionMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.ToCollection))!;
        private static readonly MethodInfo IncludeReferenceMethod =
            typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.IncludeOwnedReference))!;
        private static readonly MethodInfo IncludeCollectionMethod =
            typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.IncludeOwnedCollection))!;

        private readonly Dictionary<string, (ParameterExpression Document, ParameterExpression Buffer)> _bindings =
            new(StringComparer.Ordinal);
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
                        : Condition(Equal(documentVariable, Constant(null, DocumentType)), Default(shaper.Type), updated);
                }

                case DocumentValueExpression value when wire is not null:
                {
                    if (_rowOverride is not null)
                    {
                        throw new WireShapeNotSupportedException("value inside a joined array");
                    }

                    var (slot, typed) = wire.Scalar(value.Path, value.Type, value.TypeMapping);
                    return typed is null
                        ? Call(ReadRowValueMethod.MakeGenericMethod(value.Type), row, Constant(slot))
                        : Call(
                            (value.Type == typed.StoreType ? RowValueMethod : RowNullableMethod).MakeGenericMethod(typed.StoreType),
                            row,
                            Constant(slot),
                            Constant(typed.Offset));
                }

                case EmbeddedCollectionExpression { Detached: false } collection when wire is not null:
                {
                    var items = MaterializeRows(collection);
                    var elementType = collection.Navigation.TargetEntityType.ClrType;
                    return collection.Type.IsAssignableFrom(items.Type)
                        ? items
                        : Call(ToCollectionMethod.MakeGenericMethod(elementType, collection.Type), items);
                }

                case JoinedCollectionExpression { ItemDocument: { } } joinedCollection when wire is not null:
                {
                    var items = MaterializeJoinedRows(joinedCollection);
                    return joinedCollection.Type.IsAssignableFrom(items.Type)
                        ? items
                        : Call(ToCollectionMethod.MakeGenericMethod(joinedCollection.ElementType, joinedCollection.Type), items);
                }

                case EmbeddedCollectionExpression or ComplexCollectionExpression or JoinedCollectionExpression or GroupElementsExpression
                    when wire is not null:
                    throw new WireShapeNotSupportedException("collection");

                case IncludeExpression
                {
                    Navigation: INavigation { IsCollection: true } navigation,
                    NavigationExpression: EmbeddedCollectionExpression { Detached: false } embedded,
                } include when wire is not null:
                {
                    var entity = Visit(include.EntityExpression);
                    return Call(
                        IncludeCollectionMethod.MakeGenericMethod(entity.Type, navigation.TargetEntityType.ClrType),
                        entity,
                        MaterializeRows(embedded),
                        Constant(navigation));
                }

                case IncludeExpression
                {
                    Navigation: INavigation { IsCollection: true } navigation,
                    NavigationExpression: JoinedCollectionExpression { ItemDocument: { } } joined,
                } include when wire is not null:
                {
                    var entity = Visit(include.EntityExpression);
                    return Call(
                        IncludeCollectionMethod.MakeGenericMethod(entity.Type, navigation.TargetEntityType.ClrType),
                        entity,
                        MaterializeJoinedRows(joined),
                        Constant(navigation));
                }

                case IncludeExpression { Navigation: INavigation { IsCollection: true } } when wire is not null:
                    throw new WireShapeNotSupportedException("included collection");

                case DocumentValueExpression value:
                    return Call(ReadValueMethod.MakeGenericMethod(value.Type), _rowOverride ?? row, Constant(value.Path.Split('.')),
                        Constant(value.TypeMapping, typeof(CoreTypeMapping)));

                case EmbeddedCollectionExpression collection:
                {
                    var items = MaterializeItems(collection);
                    return collection.Type.IsAssignableFrom(items.Type)
                        ? items
                        : Call(ToCollectionMethod.MakeGenericMethod(collection.Navigation.TargetEntityType.ClrType, collection.Type),
                            items);
                }

                case ComplexCollectionExpression complexCollection:
                    return MaterializeComplex(complexCollection);

                case GroupElementsExpression groupElements:
                    return MaterializeGroupElements(groupElements);

                case JoinedCollectionExpression joinedCollection:
                {
                    var items = MaterializeJoined(joinedCollection);
                    return joinedCollection.Type.IsAssignableFrom(items.Type)
                        ? items
                        : Call(ToCollectionMethod.MakeGenericMethod(joinedCollection.ElementType, joinedCollection.Type), items);
                }

                case IncludeExpression include when include.Navigation is INavigation navigation:
                {
                    var entity = Visit(include.EntityExpression);
                    if (navigation.IsCollection)
                    {
                        var items = include.NavigationExpression switch
                        {
                            EmbeddedCollectionExpression embedded => MaterializeItems(embedded),
                            JoinedCollectionExpression joined => MaterializeJoined(joined),
                            _ => throw new InvalidOperationException(
                                $"The included collection '{navigation.Name}' could not be materialized from "
                                + $"'{include.NavigationExpression.Print()}'."
                                + (Infrastructure.Internal.OwnedByConvention.LooksUnintended(navigation.TargetEntityType)
                                    ? " " + Infrastructure.Internal.OwnedByConvention.Explain(navigation.TargetEntityType)
                                    : "")),
                        };
                        return Call(IncludeCollectionMethod.MakeGenericMethod(entity.Type, navigation.TargetEntityType.ClrType), entity,
                            items, Constant(navigation));
                    }

                    var related = Visit(include.NavigationExpression);
                    return Call(IncludeReferenceMethod.MakeGenericMethod(entity.Type, related.Type), entity, related, Constant(navigation));
                }

                default:
                    return base.VisitExtension(node);
            }
        }

        private static readonly MethodInfo DetachedMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.Detached))!;

        private Expression MaterializeItems(EmbeddedCollectionExpression collection)
        {
            var (ownerDocument, ownerBuffer) = Bind(collection.Owner);
            if (collection.Detached)
            {
                var item = Parameter(typeof(BsonDocument), "item");
                var position = Parameter(typeof(int), "ordinal");
                var type = collection.Navigation.TargetEntityType.ClrType;
                return Call(
                    MaterializeItemsMethod.MakeGenericMethod(type),
                    ownerDocument,
                    Constant(collection.Navigation.GetElementName()),
                    Lambda(typeof(Func<,,>).MakeGenericType(typeof(BsonDocument), typeof(int), type),
                        Convert(Call(DetachedMethod, item, Constant(collection.Navigation.TargetEntityType)), type), item, position));
            }

            var itemDocument = Parameter(typeof(BsonDocument), "item");
            var ordinal = Parameter(typeof(int), "ordinal");
            var inner = Child();
            var itemBuffer = Variable(typeof(ValueBuffer), "itemBuffer");
            inner._scoped[collection.ItemDocument] = (itemDocument, itemBuffer);
            inner.Variables.Add(itemBuffer);
            inner.Assignments.Add(
                Assign(itemBuffer,
                    Call(CreateEmbeddedMethod, itemDocument, Constant(collection.Navigation.TargetEntityType), ownerBuffer, ordinal)));
            var body = inner.Visit(collection.InnerShaper);
            var lambda = Lambda(Block(body.Type, inner.Variables, [.. inner.Assignments, body]), itemDocument, ordinal);
            var elementType = collection.Navigation.TargetEntityType.ClrType;
            return Call(
                MaterializeItemsMethod.MakeGenericMethod(elementType),
                ownerDocument,
                Constant(collection.Navigation.GetElementName()),
                Lambda(typeof(Func<,,>).MakeGenericType(typeof(BsonDocument), typeof(int), elementType), Convert(lambda.Body, elementType),
                    lambda.Parameters));
        }

        private static readonly MethodInfo MaterializeRowsMethod = typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.MaterializeRows))!;

        /// <summary>
        /// An owned collection on the wire path: the serializer reads its array into rows (a slot of the owner's row), and
        /// each row is shaped with its 1-based ordinal, as <see cref="MaterializeItems"/> shapes the array's documents.
        /// </summary>
        private Expression MaterializeRows(EmbeddedCollectionExpression collection)
        {
            var (ownerRow, _) = Bind(collection.Owner);
            var (slot, node) = wire!.OwnedCollection(NodeOf(collection.Owner), collection.Navigation);
            var elementType = collection.Navigation.TargetEntityType.ClrType;
            return ShapeRows(ownerRow, slot, node, collection.ItemDocument, collection.InnerShaper, elementType);
        }

        /// <summary>
        /// The entities of another collection joined as an array (Include of a collection, a collection navigation in a
        /// projection) on the wire path: each a root entity of its own, read into a row by the serializer. A shaper that
        /// reads values relative to an item (a projection inside the joined array) is not read from the wire.
        /// </summary>
        private Expression MaterializeJoinedRows(JoinedCollectionExpression collection)
        {
            var (ownerRow, _) = Bind(collection.Owner);
            var item = collection.ItemDocument!;
            var (slot, node) = wire!.JoinedCollection(NodeOf(collection.Owner), collection.Element, item.EntityType);
            return ShapeRows(ownerRow, slot, node, item, collection.InnerShaper, collection.ElementType, itemValuesUnsupported: true);
        }

        // Each row of a collection's slot shaped by its item shaper, with the item's 1-based position.
        private Expression ShapeRows(
            ParameterExpression ownerRow, int slot, object node, EntityDocumentExpression item, Expression itemShaper, Type elementType,
            bool itemValuesUnsupported = false)
        {
            var itemRow = Parameter(typeof(object?[]), "itemRow");
            var ordinal = Parameter(typeof(int), "ordinal");
            var inner = new DocumentInjector(row, tracking, wire);
            var itemBuffer = Variable(typeof(ValueBuffer), "itemBuffer");
            inner._scoped[item] = (itemRow, itemBuffer);
            inner._scopedNodes[item] = node;
            if (itemValuesUnsupported)
            {
                inner._rowOverride = itemRow;
            }

            inner.Variables.Add(itemBuffer);
            inner.Assignments.Add(Assign(itemBuffer, New(ValueBufferConstructor, itemRow)));
            var body = inner.Visit(itemShaper);
            return Call(
                MaterializeRowsMethod.MakeGenericMethod(elementType),
                ownerRow,
                Constant(slot),
                Lambda(
                    typeof(Func<,,>).MakeGenericType(typeof(object?[]), typeof(int), elementType),
                    Convert(Block(body.Type, inner.Variables, [.. inner.Assignments, body]), elementType),
                    itemRow,
                    ordinal));
        }

        private static readonly MethodInfo ProjectComplexCollectionMethod =
            typeof(ShaperMethods).GetMethod(nameof(ShaperMethods.ProjectComplexCollection))!;
        private static readonly MethodInfo CreateElementMethod =
            typeof(DocumentValueBuffers).GetMethod(nameof(DocumentValueBuffers.CreateElement))!;

        /// <summary>
        /// A projected complex collection: each element document becomes a value buffer that a complex-type shaper
        /// reads, so EF Core's materializer builds the elements as it does inside entities.
        /// </summary>
        private Expression MaterializeComplex(ComplexCollectionExpression collection)
        {
            var (ownerDocument, _) = Bind(collection.Owner);
            var elementType = collection.ComplexProperty.ComplexType;
            var itemDocument = Parameter(typeof(BsonDocument), "element");
            var itemBuffer = Variable(typeof(ValueBuffer), "elementBuffer");
            var shaper = new StructuralTypeShaperExpression(elementType, itemBuffer, nullable: false);
            var body = Block(
                elementType.ClrType,
                [itemBuffer],
                Assign(itemBuffer, Call(CreateElementMethod, itemDocument, Constant(elementType))),
                shaper);
            return Call(
                ProjectComplexCollectionMethod.MakeGenericMethod(elementType.ClrType, collection.Type),
                ownerDocument,
                Constant(Metadata.Internal.FieldPaths.InEntity(collection.ComplexProperty).Split('.')),
                Constant(collection.ComplexProperty.IsNullable),
                Lambda(typeof(Func<,>).MakeGenericType(typeof(BsonDocument), elementType.ClrType), body, itemDocument));
        }

        /// <summary>The entities of a joined array, each materialized as a root entity of its own collection.</summary>
        private Expression MaterializeJoined(JoinedCollectionExpression collection)
        {
            // The array is an element of the row: the row is not materialized as an entity for it (after DefaultIfEmpty
            // the row is a single document holding the entity, or nothing).
            var ownerDocument = collection.Owner is { Owner: null, Path: "" } && !_scoped.ContainsKey(collection.Owner)
                ? row
                : Bind(collection.Owner).Document;
            var itemDocument = Parameter(typeof(BsonDocument), "joined");
            var ordinal = Parameter(typeof(int), "ordinal");
            var inner = Child();
            // The item's document also when the items are projections: what the item shaper roots there (an entity in an
            // anonymous object, a subquery joined into each item) is read from the item, not from the outer row.
            if ((collection.ItemDocument ?? collection.ItemRoot) is { } item)
            {
                var itemBuffer = Variable(typeof(ValueBuffer), "joinedBuffer");
                inner._scoped[item] = (itemDocument, itemBuffer);
                inner.Variables.Add(itemBuffer);
                if (collection.ItemDocument is not null || DocumentUseFinder.Uses(collection.InnerShaper, item))
                {
                    inner.Assignments.Add(Assign(itemBuffer, Call(CreateMethod, itemDocument, Constant(item.EntityType))));
                }
            }

            inner._rowOverride = itemDocument;
            var body = inner.Visit(collection.InnerShaper);
            var elementType = collection.ElementType;
            var lambda =
                Lambda(typeof(Func<,,>).MakeGenericType(typeof(BsonDocument), typeof(int), elementType),
                    Convert(Block(body.Type, inner.Variables, [.. inner.Assignments, body]), elementType), itemDocument, ordinal);
            return Call(MaterializeItemsMethod.MakeGenericMethod(elementType), ownerDocument, Constant(collection.Element), lambda);
        }

        /// <summary>The elements of a group (a final GroupBy), each shaped from its document in the group's pushed array.</summary>
        private Expression MaterializeGroupElements(GroupElementsExpression elements)
        {
            var itemDocument = Parameter(typeof(BsonDocument), "element");
            var ordinal = Parameter(typeof(int), "ordinal");
            var inner = Child();
            var itemBuffer = Variable(typeof(ValueBuffer), "elementBuffer");
            inner._scoped[elements.ItemDocument] = (itemDocument, itemBuffer);
            inner.Variables.Add(itemBuffer);
            if (DocumentUseFinder.Uses(elements.ElementShaper, elements.ItemDocument))
            {
                // Only when an entity is shaped: a group of projected values holds documents that are not entities
                // (a joined array in them is read from the element document without its value buffer).
                inner.Assignments.Add(Assign(itemBuffer, Call(CreateMethod, itemDocument, Constant(elements.ItemDocument.EntityType))));
            }

            inner._rowOverride = itemDocument;
            var body = inner.Visit(elements.ElementShaper);
            var elementType = elements.ElementShaper.Type;
            var lambda = Lambda(
                typeof(Func<,,>).MakeGenericType(typeof(BsonDocument), typeof(int), elementType),
                Convert(Block(body.Type, inner.Variables, [.. inner.Assignments, body]), elementType),
                itemDocument,
                ordinal);
            return Call(MaterializeItemsMethod.MakeGenericMethod(elementType), row, Constant(elements.ArrayField), lambda);
        }

        /// <summary>Whether a shaper reads the given document (or a document embedded in it).</summary>
        private sealed class DocumentUseFinder(EntityDocumentExpression document) : ExpressionVisitor
        {
            private bool _found;

            public static bool Uses(Expression shaper, EntityDocumentExpression document)
            {
                var finder = new DocumentUseFinder(document);
                finder.Visit(shaper);
                return finder._found;
            }

            protected override Expression VisitExtension(Expression node)
            {
                for (var current = node switch
                     {
                         EntityDocumentExpression d => d,
                         StructuralTypeShaperExpression { ValueBufferExpression: EntityDocumentExpression d } => d,
                         EmbeddedCollectionExpression collection => collection.Owner,
                         ComplexCollectionExpression collection => collection.Owner,
                         _ => null,
                     };
                     current is not null;
                     current = current.Owner)
                {
                    _found |= ReferenceEquals(current, document);
                }

                return node is EntityDocumentExpression or StructuralTypeShaperExpression ? node : base.VisitExtension(node);
            }
        }

        // Inside a joined array's item shaper, document values are read from the item, not from the row.
        private ParameterExpression? _rowOverride;

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

            var documentVariable = Variable(DocumentType, "document" + _bindings.Count);
            var buffer = Variable(typeof(ValueBuffer), "buffer" + _bindings.Count);
            Variables.Add(documentVariable);
            Variables.Add(buffer);
            if (wire is not null)
            {
                BindRow(document, key, documentVariable, buffer);
            }
            else if (document.Owner is null)
            {
                Assignments.Add(Assign(documentVariable, row));
                Assignments.Add(Assign(buffer, Call(CreateMethod, documentVariable, Constant(document.EntityType))));
            }
            else if (document.JoinedElement is { } element)
            {
                // An entity of another collection joined into this document: a root entity of its own. A row's own
                // document is not materialized for it (after a set operation the row holds only the moved entities).
                var ownerDocument = document.Owner.Owner is null && !_scoped.ContainsKey(document.Owner) ? row
                    : Bind(document.Owner).Document;
                Assignments.Add(Assign(documentVariable, Call(EmbeddedMethod, ownerDocument, Constant(element))));
                Assignments.Add(Assign(buffer, Condition(
                    Equal(documentVariable, Constant(null, typeof(BsonDocument))),
                    Constant(ValueBuffer.Empty),
                    Call(CreateMethod, documentVariable, Constant(document.EntityType)))));
            }
            else
            {
                var (ownerDocument, ownerBuffer) = Bind(document.Owner);
                Assignments.Add(
                    Assign(documentVariable, Call(EmbeddedMethod, ownerDocument, Constant(document.Navigation!.GetElementName()))));
                Assignments.Add(Assign(buffer, Condition(
                    Equal(documentVariable, Constant(null, typeof(BsonDocument))),
                    Constant(ValueBuffer.Empty),
                    Call(CreateEmbeddedMethod, documentVariable, Constant(document.EntityType), ownerBuffer, Constant(0)))));
            }

            _bindings[key] = (documentVariable, buffer);
            return (documentVariable, buffer);
        }

        // On the wire path a document is a row: the query's row for the root entity, or the row of an owned reference
        // that the serializer stored in a slot of its owner's row (null when the owned element is missing or null).
        private void BindRow(EntityDocumentExpression document, string key, ParameterExpression rowVariable, ParameterExpression buffer)
        {
            if (document.Owner is null)
            {
                if (document.Path.Length != 0)
                {
                    throw new WireShapeNotSupportedException("rebased document");
                }

                _wireNodes[key] = wire!.RootNode;
                Assignments.Add(Assign(rowVariable, row));
                Assignments.Add(Assign(buffer, New(ValueBufferConstructor, rowVariable)));
                return;
            }

            var (ownerRow, _) = Bind(document.Owner);
            var ownerNode = NodeOf(document.Owner);
            var (slot, node) = document.JoinedElement is { } element
                ? wire!.Joined(ownerNode, element, document.EntityType)
                : wire!.Owned(ownerNode, document.Navigation!);
            _wireNodes[key] = node;
            Assignments.Add(Assign(rowVariable, Call(OwnedRowMethod, ownerRow, Constant(slot))));
            Assignments.Add(Assign(buffer, Condition(
                Equal(rowVariable, Constant(null, typeof(object?[]))),
                Constant(ValueBuffer.Empty),
                New(ValueBufferConstructor, rowVariable))));
        }

        private string Key(EntityDocumentExpression document) =>
            document.Owner is null ? "/" + document.Path
            : document.JoinedElement is { } element ? Key(document.Owner) + "/joined:" + element
            : Key(document.Owner) + "/" + document.Navigation!.Name;
    }
}
