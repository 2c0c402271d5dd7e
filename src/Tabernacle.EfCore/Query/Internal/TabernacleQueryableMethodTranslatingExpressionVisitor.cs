using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Tabernacle.EfCore.Query.Internal.Expressions;
using Tabernacle.EfCore.Query.Internal.Translators;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Translates LINQ operators into the provider's query model (<see cref="MongoQueryExpression"/>). Operators it cannot
/// serve return <c>null</c>, and EF Core reports the query as not translatable, with the reason added here.
/// </summary>
internal sealed class TabernacleQueryableMethodTranslatingExpressionVisitor : QueryableMethodTranslatingExpressionVisitor, ISubqueryHost
{
    private readonly MqlTranslatingExpressionVisitor _translator;
    private readonly ProjectionBinder _projectionBinder;

    // The query whose lambdas are being translated: correlated subqueries in them join into it.
    private MongoQueryExpression? _current;

    // For a subquery: the query it is joined into, whose row values its projection may return.
    private readonly MongoQueryExpression? _outer;

    // For a subquery of a subquery: the rows further out than the one it is joined into. Its $lookup's let variables
    // are read from the row it is joined into, so a value of these rows would be read from the wrong document.
    private readonly IReadOnlyList<EntityDocumentExpression> _farRoots = [];

    private readonly IMqlMethodCallTranslatorProvider _methods;
    private readonly IMqlMemberTranslatorProvider _members;

    public TabernacleQueryableMethodTranslatingExpressionVisitor(
        QueryableMethodTranslatingExpressionVisitorDependencies dependencies,
        QueryCompilationContext queryCompilationContext,
        IMqlMethodCallTranslatorProvider methods,
        IMqlMemberTranslatorProvider members)
        : base(dependencies, queryCompilationContext, subquery: false)
    {
        _methods = methods;
        _members = members;
        _translator = new MqlTranslatingExpressionVisitor(methods, members, this);
        _projectionBinder = new ProjectionBinder(_translator, this);
    }

    private TabernacleQueryableMethodTranslatingExpressionVisitor(TabernacleQueryableMethodTranslatingExpressionVisitor parent)
        : base(parent.Dependencies, parent.QueryCompilationContext, subquery: true)
    {
        IsSubquery = true;
        _outer = parent._current;
        _farRoots = parent._outer is { } parentOuter ? [.. parent._farRoots, parentOuter.RootDocument] : parent._farRoots;
        _methods = parent._methods;
        _members = parent._members;
        _translator = new MqlTranslatingExpressionVisitor(_methods, _members, this);
        _projectionBinder = new ProjectionBinder(_translator, this);
    }

    /// <summary>
    /// Translates a subquery over another collection (a collection navigation, a correlated DbSet query) and joins it
    /// into the current query as an array (<c>$lookup</c>); fields of the current row used inside become let variables.
    /// </summary>
    public JoinedCollectionExpression? JoinSubquery(Expression subquery)
    {
        if (_current is not { } outer)
        {
            return null;
        }

        if (ArrayElementFinder.Find(subquery))
        {
            // The subquery is correlated to an element of an array operator ($map/$filter's variable), which exists
            // only inside that operator: a $lookup of the row cannot refer to it, and mongod refuses the filter.
            AddTranslationErrorDetails("A subquery over another collection inside a lambda over the elements of a joined or stored array "
                + "(a nested collection navigation such as c.Orders.Sum(o => o.Details.Sum(...))) cannot be translated: MongoDB's $lookup "
                + "joins per document, not per array element. Query the inner collection directly, or join it first.");
            return null;
        }

        var translated = CreateSubqueryVisitor().Translate(subquery);
        if (translated is not ShapedQueryExpression shaped || Query(shaped).ResultOperator != ResultOperator.None)
        {
            if (translated is ShapedQueryExpression)
            {
                AddTranslationErrorDetails("A subquery over another collection can be joined only when it returns documents.");
            }

            return null;
        }

        var inner = Query(shaped);
        var element = outer.NewTemporaryField("l");
        outer.AddStage(new LookupStage(element, inner, null, null, null, null));
        var item = new EntityDocumentExpression(inner.EntityType, "");
        var itemShaper = DocumentRebaser.Rebase(shaped.ShaperExpression, inner.RootDocument, item, "");
        return new JoinedCollectionExpression(outer.RootDocument, element, itemShaper,
            typeof(IEnumerable<>).MakeGenericType(itemShaper.Type), item);
    }

    public bool IsSubquery { get; }

    // The subquery's rows get the outer value as a field of their own: inside the $lookup it is a let variable. Only a
    // value of the row the subquery is joined into: the let variables of a lookup are read from that row.
    public DocumentValueExpression? CarryOuterField(MqlFieldExpression field)
    {
        if (!IsSubquery || _current is not { } query || _outer is null || !ReferenceEquals(field.Root, _outer.RootDocument)
            || field.Path.StartsWith('$'))
        {
            return null;
        }

        var carried = query.NewTemporaryField("o");
        query.AddStage(new AddFieldsStage(carried, field));
        return new DocumentValueExpression(carried, field.Type, field.Property, field.TypeMapping);
    }

    public QueryParameterExpression RegisterRuntimeParameter(string name, LambdaExpression valueExtractor) =>
        QueryCompilationContext.RegisterRuntimeParameter(name, valueExtractor);

    public override Expression Translate(Expression expression)
    {
        var translated = base.Translate(expression);
        if (translated is ShapedQueryExpression shaped && UnwoundOwnedEntityFinder.Find(shaped.ShaperExpression))
        {
            // The unwound element is a copy without its owner: EF Core cannot materialize an owned entity on its own.
            throw new InvalidOperationException(CoreStrings.TranslationFailedWithDetails(
                expression.Print(),
                "SelectMany over an owned collection can return the elements' members (SelectMany(o => o.Lines, (o, l) => new { l.Sku " +
                    "})), not the owned entities themselves."));
        }

        return translated;
    }

    /// <summary>Finds a reference to an array operator's element variable (a document or value at a "$name" path).</summary>
    private sealed class ArrayElementFinder : ExpressionVisitor
    {
        private bool _found;

        public static bool Find(Expression expression)
        {
            var finder = new ArrayElementFinder();
            finder.Visit(expression);
            return finder._found;
        }

        protected override Expression VisitExtension(Expression node)
        {
            var path = node switch
            {
                StructuralTypeShaperExpression { ValueBufferExpression: EntityDocumentExpression document } => document.Path,
                EntityDocumentExpression document => document.Path,
                DocumentValueExpression value => value.Path,
                MqlFieldExpression field => field.Path,
                _ => null,
            };
            if (path is not null)
            {
                _found |= path.StartsWith('$');
                return node;
            }

            return node is MqlExpression or ShapedQueryExpression ? node : base.VisitExtension(node);
        }
    }

    /// <summary>Finds an owned entity shaped from a SelectMany's unwound copy (<c>__u0.</c>, no owner document).</summary>
    private sealed class UnwoundOwnedEntityFinder : ExpressionVisitor
    {
        private bool _found;

        public static bool Find(Expression shaper)
        {
            var finder = new UnwoundOwnedEntityFinder();
            finder.Visit(shaper);
            return finder._found;
        }

        protected override Expression VisitExtension(Expression node)
        {
            if (node is StructuralTypeShaperExpression { StructuralType: IEntityType entityType,
                ValueBufferExpression: EntityDocumentExpression { Owner: null } document }
                && entityType.IsOwned() && document.Path.StartsWith("__u", StringComparison.Ordinal))
            {
                _found = true;
                return node;
            }

            return node is StructuralTypeShaperExpression or EntityDocumentExpression or DocumentValueExpression ? node
                : base.VisitExtension(node);
        }
    }

    protected override QueryableMethodTranslatingExpressionVisitor CreateSubqueryVisitor() =>
        new TabernacleQueryableMethodTranslatingExpressionVisitor(this);

    protected override Expression VisitExtension(Expression extensionExpression)
    {
        if (extensionExpression is FromMqlQueryRootExpression root)
        {
            if (root.Argument is not QueryParameterExpression parameter || CreateShapedQueryExpression(root.EntityType) is not { } shaped)
            {
                throw new InvalidOperationException(
                    "FromMql/FromPipeline need their MQL as a value; build the query with the extension methods.");
            }

            var mql = new MqlParameterExpression(parameter.Name, parameter.Type);
            if (root.IsPipeline)
            {
                Query(shaped).AddStage(new RawPipelineStage(mql));
            }
            else
            {
                Query(shaped).ApplyPredicate(new MqlRawFilterExpression(mql));
            }

            return shaped;
        }

        return base.VisitExtension(extensionExpression);
    }

    protected override ShapedQueryExpression? CreateShapedQueryExpression(IEntityType entityType)
    {
        var query = new MongoQueryExpression(entityType);
        var concreteTypes = entityType.GetConcreteDerivedTypesInclusive().ToList();
        if (entityType.FindDiscriminatorProperty() is { } discriminator
            && (entityType.BaseType is not null
                || concreteTypes.Count < entityType.GetRootType().GetConcreteDerivedTypesInclusive().Count()))
        {
            // A query on a derived type of a hierarchy stored in one collection reads only documents of that type or below.
            var field =
                new MqlFieldExpression(discriminator.GetElementName(), discriminator.ClrType, discriminator,
                    discriminator.GetTypeMapping());
            var values = concreteTypes.Select(t => t.GetDiscriminatorValue()).ToList();
            query.ApplyPredicate(new MqlInExpression(field, new MqlConstantExpression(values, typeof(List<object>))));
        }

        return new ShapedQueryExpression(query, new StructuralTypeShaperExpression(entityType, query.RootDocument, nullable: false));
    }

    private MqlExpression? TranslateLambda(ShapedQueryExpression source, LambdaExpression lambda)
    {
        _current = Query(source);
        var body = ReplacingExpressionVisitor.Replace(lambda.Parameters[0], source.ShaperExpression, lambda.Body);
        var translation = _translator.Translate(body);
        if (translation is null)
        {
            AddTranslationErrorDetails(_translator.TranslationErrorDetails ?? $"'{lambda.Print()}' has no MQL form.");
        }

        return WithoutFarRowValues(translation);
    }

    private MqlExpression? TranslateValue(Expression expression)
    {
        var translation = _translator.Translate(expression);
        if (translation is null)
        {
            AddTranslationErrorDetails(_translator.TranslationErrorDetails ?? $"'{expression.Print()}' has no MQL form.");
        }

        return WithoutFarRowValues(translation);
    }

    // A subquery two or more levels down may read only its own documents and the row it is joined into.
    private MqlExpression? WithoutFarRowValues(MqlExpression? translation)
    {
        if (translation is null || _farRoots.Count == 0)
        {
            return translation;
        }

        var far = MqlRewriter.FindField(translation, field => _farRoots.Any(root => ReferenceEquals(field.Root, root)));
        if (far is null)
        {
            return translation;
        }

        AddTranslationErrorDetails(
            $"A subquery nested in another subquery reads '{far.Path}' of a row two or more levels out; MongoDB's $lookup passes "
            + "only the row it is joined into. Read the value in the outer subquery (select it into its rows) instead.");
        return null;
    }

    private static MongoQueryExpression Query(ShapedQueryExpression source) => (MongoQueryExpression)source.QueryExpression;

    protected override ShapedQueryExpression? TranslateWhere(ShapedQueryExpression source, LambdaExpression predicate)
    {
        if (Query(source).ResultOperator != ResultOperator.None || TranslateLambda(source, predicate) is not { } translation)
        {
            return null;
        }

        Query(source).ApplyPredicate(translation);
        return source;
    }

    protected override ShapedQueryExpression? TranslateOrderBy(ShapedQueryExpression source, LambdaExpression keySelector,
        bool ascending) =>
        ApplyOrdering(source, keySelector, ascending, thenBy: false);

    protected override ShapedQueryExpression? TranslateThenBy(ShapedQueryExpression source, LambdaExpression keySelector, bool ascending) =>
        ApplyOrdering(source, keySelector, ascending, thenBy: true);

    private ShapedQueryExpression? ApplyOrdering(ShapedQueryExpression source, LambdaExpression keySelector, bool ascending, bool thenBy)
    {
        if (TranslateLambda(source, keySelector) is not { } key)
        {
            return null;
        }

        // A computed key (o.Weight * 2, c.Orders.Count, c.Name.ToLower()) is sorted through a temporary field in the pipeline.
        Query(source).ApplyOrdering(key, ascending, thenBy);
        return source;
    }

    protected override ShapedQueryExpression? TranslateSkip(ShapedQueryExpression source, Expression count)
    {
        if (TranslateValue(count) is not { } translation)
        {
            return null;
        }

        Query(source).ApplySkip(translation);
        return source;
    }

    protected override ShapedQueryExpression? TranslateTake(ShapedQueryExpression source, Expression count)
    {
        if (TranslateValue(count) is not { } translation)
        {
            return null;
        }

        if (translation is MqlConstantExpression { Value: int and <= 0 })
        {
            // Take(0) (a constant, as in a subquery) selects nothing; mongod refuses $limit: 0, and find's limit 0 is no limit.
            Query(source).ApplyPredicate(new MqlConstantExpression(false, typeof(bool)));
            return source;
        }

        Query(source).ApplyLimit(translation);
        return source;
    }

    protected override ShapedQueryExpression? TranslateFirstOrDefault(ShapedQueryExpression source, LambdaExpression? predicate,
        Type returnType, bool returnDefault) =>
        TranslateLimited(source, predicate, returnType, limit: 1);

    // Two documents are enough to tell "exactly one" from "more than one".
    protected override ShapedQueryExpression? TranslateSingleOrDefault(ShapedQueryExpression source, LambdaExpression? predicate,
        Type returnType, bool returnDefault) =>
        TranslateLimited(source, predicate, returnType, limit: 2);

    private ShapedQueryExpression? TranslateLimited(ShapedQueryExpression source, LambdaExpression? predicate, Type returnType, int limit)
    {
        if (predicate is not null && TranslateWhere(source, predicate) is null)
        {
            return null;
        }

        Query(source).ApplyLimit(new MqlConstantExpression(limit, typeof(int)));
        return source.ShaperExpression.Type != returnType
            ? source.UpdateShaperExpression(Expression.Convert(source.ShaperExpression, returnType))
            : source;
    }

    protected override ShapedQueryExpression? TranslateLastOrDefault(ShapedQueryExpression source, LambdaExpression? predicate,
        Type returnType, bool returnDefault)
    {
        if (predicate is not null && TranslateWhere(source, predicate) is null)
        {
            return null;
        }

        if (!Query(source).ReverseOrdering() && !Query(source).AppendReversedOrdering())
        {
            AddTranslationErrorDetails("Last/LastOrDefault needs an OrderBy before it (MongoDB documents have no inherent order).");
            return null;
        }

        Query(source).ApplyLimit(new MqlConstantExpression(1, typeof(int)));
        return source;
    }

    protected override ShapedQueryExpression? TranslateCount(ShapedQueryExpression source, LambdaExpression? predicate) =>
        TranslateCountLike(source, predicate, ResultOperator.Count, typeof(int));

    protected override ShapedQueryExpression? TranslateLongCount(ShapedQueryExpression source, LambdaExpression? predicate) =>
        TranslateCountLike(source, predicate, ResultOperator.LongCount, typeof(long));

    private ShapedQueryExpression? TranslateCountLike(ShapedQueryExpression source, LambdaExpression? predicate,
        ResultOperator resultOperator, Type type)
    {
        if (predicate is not null && TranslateWhere(source, predicate) is null)
        {
            return null;
        }

        Query(source).ApplyResultOperator(resultOperator);
        return source.UpdateShaperExpression(new DocumentValueExpression(MongoQueryExpression.ResultElement, type, null, null));
    }

    protected override ShapedQueryExpression? TranslateAny(ShapedQueryExpression source, LambdaExpression? predicate)
    {
        if (predicate is not null && TranslateWhere(source, predicate) is null)
        {
            return null;
        }

        Query(source).ApplyResultOperator(ResultOperator.Any);
        return source.UpdateShaperExpression(new DocumentValueExpression(MongoQueryExpression.ResultElement, typeof(bool), null, null))
            .UpdateResultCardinality(ResultCardinality.Single);
    }

    protected override ShapedQueryExpression? TranslateAll(ShapedQueryExpression source, LambdaExpression predicate)
    {
        if (TranslateLambda(source, predicate) is not { } translation)
        {
            return null;
        }

        // All(p) is "no document fails p".
        Query(source).ApplyPredicate(new MqlNotExpression(translation));
        Query(source).ApplyResultOperator(ResultOperator.Any);
        return source.UpdateShaperExpression(
            Expression.Not(new DocumentValueExpression(MongoQueryExpression.ResultElement, typeof(bool), null, null)))
            .UpdateResultCardinality(ResultCardinality.Single);
    }

    protected override ShapedQueryExpression? TranslateSum(ShapedQueryExpression source, LambdaExpression? selector, Type resultType) =>
        TranslateAggregate(source, selector, resultType, ResultOperator.Sum);

    protected override ShapedQueryExpression? TranslateAverage(ShapedQueryExpression source, LambdaExpression? selector, Type resultType) =>
        TranslateAggregate(source, selector, resultType, ResultOperator.Average);

    protected override ShapedQueryExpression? TranslateMin(ShapedQueryExpression source, LambdaExpression? selector, Type resultType) =>
        TranslateAggregate(source, selector, resultType, ResultOperator.Min);

    protected override ShapedQueryExpression? TranslateMax(ShapedQueryExpression source, LambdaExpression? selector, Type resultType) =>
        TranslateAggregate(source, selector, resultType, ResultOperator.Max);

    private ShapedQueryExpression? TranslateAggregate(ShapedQueryExpression source, LambdaExpression? selector, Type resultType,
        ResultOperator resultOperator)
    {
        var value = selector is null ? TranslateValue(source.ShaperExpression) : TranslateLambda(source, selector);
        if (value is null)
        {
            return null;
        }

        Query(source).ApplyResultOperator(resultOperator, value);
        var shaper = new DocumentValueExpression(MongoQueryExpression.ResultElement, resultType, null, null);

        // Sum of nothing is 0 (the enumerable supplies it); Min/Max/Average of nothing is an error for values and null for nullables.
        var cardinality = resultOperator != ResultOperator.Sum && Nullable.GetUnderlyingType(resultType) is not null
            ? ResultCardinality.SingleOrDefault
            : ResultCardinality.Single;
        return source.UpdateShaperExpression(shaper).UpdateResultCardinality(cardinality);
    }

    protected override ShapedQueryExpression TranslateSelect(ShapedQueryExpression source, LambdaExpression selector)
    {
        if (selector.Body == selector.Parameters[0])
        {
            return source;
        }

        var body = ReplacingExpressionVisitor.Replace(selector.Parameters[0], source.ShaperExpression, selector.Body);
        _current = Query(source);
        var shaper = _projectionBinder.Bind(body);
        if (shaper is null)
        {
            AddTranslationErrorDetails(_projectionBinder.TranslationErrorDetails!);
            throw new InvalidOperationException(
                CoreStrings.TranslationFailedWithDetails(selector.Print(), _projectionBinder.TranslationErrorDetails!));
        }

        return source.UpdateShaperExpression(shaper);
    }

    protected override ShapedQueryExpression? TranslateCast(ShapedQueryExpression source, Type castType) =>
        source.ShaperExpression.Type == castType ? source
            : source.UpdateShaperExpression(Expression.Convert(source.ShaperExpression, castType));

    protected override ShapedQueryExpression? TranslateOfType(ShapedQueryExpression source, Type resultType)
    {
        if (source.ShaperExpression is not StructuralTypeShaperExpression { StructuralType: IEntityType entityType } shaper)
        {
            return null;
        }

        if (resultType == entityType.ClrType)
        {
            return source;
        }

        var derived = entityType.GetDerivedTypes().FirstOrDefault(t => t.ClrType == resultType);
        if (derived is null || derived.FindDiscriminatorProperty() is not { } discriminator)
        {
            AddTranslationErrorDetails($"'{resultType.Name}' is not a mapped type derived from '{entityType.DisplayName()}'.");
            return null;
        }

        var field =
            new MqlFieldExpression(discriminator.GetElementName(), discriminator.ClrType, discriminator, discriminator.GetTypeMapping());
        var values = derived.GetConcreteDerivedTypesInclusive().Select(t => t.GetDiscriminatorValue()).ToList();
        Query(source).ApplyPredicate(new MqlInExpression(field, new MqlConstantExpression(values, typeof(List<object>))));
        return source.UpdateShaperExpression(new StructuralTypeShaperExpression(derived, shaper.ValueBufferExpression, shaper.IsNullable));
    }

    protected override ShapedQueryExpression? TranslateContains(ShapedQueryExpression source, Expression item)
    {
        if (MemberBinder.UnwrapShaper(source.ShaperExpression) is { StructuralType: IEntityType } && !item.Type.IsValueType
            && (item.Type.IsAssignableFrom(source.ShaperExpression.Type) || source.ShaperExpression.Type.IsAssignableFrom(item.Type)))
        {
            // db.Customers.Contains(customer): is there a document with the entity's key (entity equality).
            _current = Query(source);
            if (TranslateValue(Expression.ReferenceEqual(source.ShaperExpression, item)) is not { } sameKey)
            {
                return null;
            }

            Query(source).ApplyPredicate(sameKey);
            Query(source).ApplyResultOperator(ResultOperator.Any);
            return source.UpdateShaperExpression(new DocumentValueExpression(MongoQueryExpression.ResultElement, typeof(bool), null, null))
                .UpdateResultCardinality(ResultCardinality.Single);
        }

        if (TranslateValue(source.ShaperExpression) is not { } value || TranslateValue(item) is not { } translatedItem)
        {
            return null;
        }

        Query(source).ApplyPredicate(
            new MqlBinaryExpression(MqlOperator.Equal, value, WithMapping(translatedItem, value.TypeMapping), typeof(bool)));
        Query(source).ApplyResultOperator(ResultOperator.Any);
        return source.UpdateShaperExpression(new DocumentValueExpression(MongoQueryExpression.ResultElement, typeof(bool), null, null))
            .UpdateResultCardinality(ResultCardinality.Single);
    }

    private static MqlExpression WithMapping(MqlExpression expression, Microsoft.EntityFrameworkCore.Storage.CoreTypeMapping? mapping) =>
        expression switch
    {
        MqlConstantExpression constant when mapping is not null => constant.WithMapping(mapping),
        MqlParameterExpression parameter when mapping is not null => parameter.WithMapping(mapping),
        _ => expression,
    };

    // EF adds an Include of every owned navigation to the query it hands ExecuteDelete/ExecuteUpdate; the embedded
    // documents go with their document, so the Includes are dropped, not mistaken for a projection.
    private static ShapedQueryExpression WithoutIncludes(ShapedQueryExpression source)
    {
        var shaper = source.ShaperExpression;
        while (shaper is IncludeExpression include)
        {
            shaper = include.EntityExpression;
        }

        return shaper == source.ShaperExpression ? source : source.UpdateShaperExpression(shaper);
    }

    protected override Expression? TranslateExecuteDelete(ShapedQueryExpression source)
    {
        source = WithoutIncludes(source);
        if (source.ShaperExpression is not StructuralTypeShaperExpression { StructuralType: IEntityType { } entityType }
            || entityType.FindOwnership() is not null)
        {
            AddTranslationErrorDetails(
                "ExecuteDelete works on the documents of a collection: apply it to a DbSet query, without a projection.");
            return null;
        }

        return new MongoNonQueryExpression(Query(source), null);
    }

    protected override Expression? TranslateExecuteUpdate(ShapedQueryExpression source, IReadOnlyList<ExecuteUpdateSetter> setters)
    {
        source = WithoutIncludes(source);
        if (source.ShaperExpression is not StructuralTypeShaperExpression { StructuralType: IEntityType { } entityType }
            || entityType.FindOwnership() is not null)
        {
            AddTranslationErrorDetails(
                "ExecuteUpdate works on the documents of a collection: apply it to a DbSet query, without a projection.");
            return null;
        }

        var translated = new List<UpdateSetter>();
        foreach (var setter in setters)
        {
            if (TranslateLambda(source, setter.PropertySelector) is not MqlFieldExpression { Property: IProperty property } field)
            {
                AddTranslationErrorDetails($"'{setter.PropertySelector.Print()}' is not a stored property that ExecuteUpdate can set.");
                return null;
            }

            var value = setter.ValueExpression is LambdaExpression lambda ? TranslateLambda(source, lambda)
                : TranslateValue(setter.ValueExpression);
            if (value is null)
            {
                return null;
            }

            translated.Add(new UpdateSetter(field.Path, property, WithMapping(value, property.GetTypeMapping())));
        }

        return new MongoNonQueryExpression(Query(source), translated);
    }

    private ShapedQueryExpression? NotYet(string what)
    {
        AddTranslationErrorDetails($"{what} is not supported by Tabernacle yet.");
        return null;
    }

    protected override ShapedQueryExpression? TranslateConcat(ShapedQueryExpression source1, ShapedQueryExpression source2) =>
        TranslateSetOperation(source1, source2, SetOperation.Concat);

    protected override ShapedQueryExpression? TranslateUnion(ShapedQueryExpression source1, ShapedQueryExpression source2) =>
        TranslateSetOperation(source1, source2, SetOperation.Union);

    protected override ShapedQueryExpression? TranslateIntersect(ShapedQueryExpression source1, ShapedQueryExpression source2) =>
        TranslateSetOperation(source1, source2, SetOperation.Intersect);

    protected override ShapedQueryExpression? TranslateExcept(ShapedQueryExpression source1, ShapedQueryExpression source2) =>
        TranslateSetOperation(source1, source2, SetOperation.Except);

    /// <summary>Concat/Union/Intersect/Except: <c>$unionWith</c>, both sides brought to one shape (see <see
    /// cref="SetOperationTranslator"/>).</summary>
    private ShapedQueryExpression? TranslateSetOperation(ShapedQueryExpression source1, ShapedQueryExpression source2,
        SetOperation operation)
    {
        var first = Query(source1);
        var second = Query(source2);
        if (first.ResultOperator != ResultOperator.None || second.ResultOperator != ResultOperator.None)
        {
            return null;
        }

        var translator = new SetOperationTranslator((expression, query) =>
        {
            _current = query;
            return _translator.Translate(expression);
        });
        if (translator.Translate(first, source1.ShaperExpression, second, source2.ShaperExpression, operation) is not { } shaper)
        {
            AddTranslationErrorDetails(translator.TranslationErrorDetails!);
            return null;
        }

        return source1.UpdateShaperExpression(shaper);
    }

    protected override ShapedQueryExpression? TranslateDefaultIfEmpty(ShapedQueryExpression source, Expression? defaultValue)
    {
        if (defaultValue is not null)
        {
            AddTranslationErrorDetails("DefaultIfEmpty with a default value cannot be translated: MongoDB would have to build that value. "
                + "Apply it to the results on the client (AsEnumerable().DefaultIfEmpty(value)).");
            return null;
        }

        var query = Query(source);
        if (query.ResultOperator != ResultOperator.None)
        {
            return null;
        }

        if (IsSubquery && DefaultIfEmptyTranslator.IsCorrelated(query))
        {
            AddTranslationErrorDetails("DefaultIfEmpty over a correlated subquery is translated only as the collection of a SelectMany "
                + "(an outer apply) or before a client-side aggregate of a projection.");
            return null;
        }

        var (wrapped, shaper) = DefaultIfEmptyTranslator.Apply(query, source.ShaperExpression);
        return new ShapedQueryExpression(wrapped, shaper);
    }

    protected override ShapedQueryExpression? TranslateDistinct(ShapedQueryExpression source)
    {
        if (MemberBinder.UnwrapShaper(source.ShaperExpression)
            is { StructuralType: IEntityType entityType, ValueBufferExpression: EntityDocumentExpression document }
            && source.ShaperExpression is StructuralTypeShaperExpression or IncludeExpression)
        {
            // Documents are distinct by _id already, unless a Concat or a SelectMany repeated them.
            if (entityType.FindPrimaryKey() is not null && Query(source).Stages.Any(s => s is UnionWithStage or UnwindStage))
            {
                var query = Query(source);
                query.AddStage(new BsonStage(new MongoDB.Bson.BsonDocument("$group", new MongoDB.Bson.BsonDocument
                {
                    { "_id", "$" + document.Path + "_id" },
                    { "d", new MongoDB.Bson.BsonDocument("$first", "$$ROOT") },
                })));
                query.AddStage(
                    new BsonStage(new MongoDB.Bson.BsonDocument("$replaceRoot", new MongoDB.Bson.BsonDocument("newRoot", "$d"))));
            }

            return source;
        }

        _current = Query(source);
        if (GroupKey(source.ShaperExpression) is not { } key)
        {
            AddTranslationErrorDetails("Distinct needs values read from the documents (properties, or a new { ... } of them).");
            return null;
        }

        Query(source).ApplyGroup(key.Key);
        return source.UpdateShaperExpression(key.Shaper);
    }

    protected override ShapedQueryExpression? TranslateElementAtOrDefault(ShapedQueryExpression source, Expression index,
        bool returnDefault)
    {
        if (TranslateValue(index) is not { } translation)
        {
            return null;
        }

        Query(source).ApplySkip(translation);
        Query(source).ApplyLimit(new MqlConstantExpression(1, typeof(int)));
        return source;
    }

    protected override ShapedQueryExpression? TranslateGroupBy(ShapedQueryExpression source, LambdaExpression keySelector,
        LambdaExpression? elementSelector, LambdaExpression? resultSelector)
    {
        if (Query(source).ResultOperator != ResultOperator.None)
        {
            return null;
        }

        var keyBody = ReplacingExpressionVisitor.Replace(keySelector.Parameters[0], source.ShaperExpression, keySelector.Body);

        // A subquery in the key (GroupBy(o => customers.Where(...).Select(c => c.Name).FirstOrDefault())) joins into this query.
        _current = Query(source);
        if (GroupKey(keyBody) is not { } key)
        {
            AddTranslationErrorDetails($"The GroupBy key '{keySelector.Print()}' must be built from values read from the documents.");
            return null;
        }

        var elementShaper = elementSelector is null
            ? source.ShaperExpression
            : ReplacingExpressionVisitor.Replace(elementSelector.Parameters[0], source.ShaperExpression, elementSelector.Body);
        if (elementSelector is not null || FinalGroupings.HasIncludes(elementShaper))
        {
            // Bound as a final projection is (before $group), so that groups returned as results shape their elements
            // from the pushed documents: values as values (not entities read and tracked), includes (which EF Core adds
            // to the element selector only then) as embedded or joined collections. Aggregates translate either form.
            _current = Query(source);
            if (_projectionBinder.Bind(elementShaper) is { } bound)
            {
                elementShaper = bound;
            }
            else if (FinalGroupings.HasIncludes(elementShaper))
            {
                throw new InvalidOperationException(
                    CoreStrings.TranslationFailedWithDetails(elementShaper.Print(), _projectionBinder.TranslationErrorDetails!));
            }
        }

        var stage = Query(source).ApplyGroup(key.Key);
        var groupingType = typeof(IGrouping<,>).MakeGenericType(keySelector.ReturnType, elementShaper.Type);
        var grouping = new GroupingShaperExpression(key.Shaper, elementShaper, stage, groupingType);
        if (resultSelector is null)
        {
            return source.UpdateShaperExpression(grouping);
        }

        var body = new ReplacingExpressionVisitor(
            [resultSelector.Parameters[0], resultSelector.Parameters[1]],
            [key.Shaper, grouping]).Visit(resultSelector.Body);
        _current = Query(source);
        return source.UpdateShaperExpression(_projectionBinder.Bind(body) ?? throw new InvalidOperationException(
            CoreStrings.TranslationFailedWithDetails(resultSelector.Print(), _projectionBinder.TranslationErrorDetails!)));
    }

    /// <summary>
    /// A group key (or Distinct's value) from a scalar or a <c>new { ... }</c> of scalars, and the shaper that reads it
    /// back from the group document's <c>_id</c>.
    /// </summary>
    private (MqlExpression Key, Expression Shaper)? GroupKey(Expression body)
    {
        switch (body)
        {
            case NewExpression { Arguments.Count: 0 } empty:
                // GroupBy(x => new { }) or new Wrapper(): one group of all documents (_id: null); the key is built on the client.
                return (new MqlConstantExpression(null, typeof(object)), empty);

            case NewExpression newExpression when newExpression.Members is not null || newExpression
                is { Constructor: not null, Type.IsValueType: false }:
            {
                // Anonymous types by their members; other constructors (new Dto(o.CustomerID)) by their arguments' positions.
                var members = new List<(string, MqlExpression)>();
                var arguments = new List<Expression>();
                for (var i = 0; i < newExpression.Arguments.Count; i++)
                {
                    var name = newExpression.Members?[i].Name ?? "a" + i;
                    if (TranslateValue(newExpression.Arguments[i]) is not { } value)
                    {
                        return null;
                    }

                    members.Add((name, value));
                    arguments.Add(
                        new DocumentValueExpression("_id." + name, newExpression.Arguments[i].Type, (value as MqlFieldExpression)?.Property,
                            value.TypeMapping, _current?.RootDocument));
                }

                return (new MqlDocumentExpression(members, body.Type), newExpression.Update(arguments));
            }

            case MemberInitExpression init when init.NewExpression.Arguments.Count == 0 && init.Bindings.All(b => b is MemberAssignment):
            {
                var members = new List<(string, MqlExpression)>();
                var bindings = new List<MemberBinding>();
                foreach (var binding in init.Bindings.Cast<MemberAssignment>())
                {
                    if (TranslateValue(binding.Expression) is not { } value)
                    {
                        return null;
                    }

                    members.Add((binding.Member.Name, value));
                    bindings.Add(
                        binding.Update(
                            new DocumentValueExpression("_id." + binding.Member.Name, binding.Expression.Type,
                                (value as MqlFieldExpression)?.Property, value.TypeMapping, _current?.RootDocument)));
                }

                return (new MqlDocumentExpression(members, body.Type), init.Update(init.NewExpression, bindings));
            }

            case var _ when MemberBinder.UnwrapShaper(body) is
            {
                StructuralType: IEntityType entityType,
                ValueBufferExpression: EntityDocumentExpression { JoinedElement: { } element, Owner: { Owner: null } row },
            } shaper && !entityType.IsOwned():
            {
                // GroupBy(od => od.Order): a reference navigation's joined document is the key (the same entity's
                // documents are equal), and the key is that entity, read back from the group's _id.
                var key = new StructuralTypeShaperExpression(entityType, row.Joined(entityType, "_id"), shaper.IsNullable);
                return (new MqlFieldExpression(element, body.Type, null, null), key);
            }

            default:
            {
                if (TranslateValue(body) is not { } value)
                {
                    return null;
                }

                // The key is read from the group document: a subquery correlated to it (where c.Id == g.Key) takes it as a let variable.
                return (value,
                    new DocumentValueExpression("_id", body.Type, (value as MqlFieldExpression)?.Property, value.TypeMapping,
                        _current?.RootDocument));
            }
        }
    }

    protected override ShapedQueryExpression? TranslateGroupJoin(ShapedQueryExpression outer, ShapedQueryExpression inner,
        LambdaExpression outerKeySelector, LambdaExpression innerKeySelector, LambdaExpression resultSelector)
    {
        if (JoinKeys(outer, inner, outerKeySelector, innerKeySelector) is not { } keys)
        {
            return null;
        }

        var outerQuery = Query(outer);
        var innerQuery = Query(inner);
        var element = outerQuery.NewTemporaryField("g");
        outerQuery.AddStage(Lookup(element, innerQuery, keys.Outer, keys.Inner));
        var item = new EntityDocumentExpression(innerQuery.EntityType, "");
        var itemShaper = DocumentRebaser.Rebase(inner.ShaperExpression, innerQuery.RootDocument, item, "");
        var collection =
            new JoinedCollectionExpression(outerQuery.RootDocument, element, itemShaper, resultSelector.Parameters[1].Type, item);
        var body =
            new ReplacingExpressionVisitor([resultSelector.Parameters[0], resultSelector.Parameters[1]],
                [outer.ShaperExpression, collection]).Visit(resultSelector.Body);
        return outer.UpdateShaperExpression(body);
    }

    protected override ShapedQueryExpression? TranslateJoin(ShapedQueryExpression outer, ShapedQueryExpression inner,
        LambdaExpression outerKeySelector, LambdaExpression innerKeySelector, LambdaExpression resultSelector) =>
        TranslateJoin(outer, inner, outerKeySelector, innerKeySelector, resultSelector, left: false);

    protected override ShapedQueryExpression? TranslateLeftJoin(ShapedQueryExpression outer, ShapedQueryExpression inner,
        LambdaExpression outerKeySelector, LambdaExpression innerKeySelector, LambdaExpression resultSelector) =>
        TranslateJoin(outer, inner, outerKeySelector, innerKeySelector, resultSelector, left: true);

    /// <summary>Join/LeftJoin (and reference navigations, which EF Core expands into them): <c>$lookup</c> then <c>$unwind</c>.</summary>
    private ShapedQueryExpression? TranslateJoin(ShapedQueryExpression outer, ShapedQueryExpression inner,
        LambdaExpression outerKeySelector, LambdaExpression innerKeySelector, LambdaExpression resultSelector, bool left)
    {
        if (JoinKeys(outer, inner, outerKeySelector, innerKeySelector) is not { } keys)
        {
            return null;
        }

        var outerQuery = Query(outer);
        var innerQuery = Query(inner);
        var element = outerQuery.NewTemporaryField("j");
        outerQuery.AddStage(Lookup(element, innerQuery, keys.Outer, keys.Inner));
        outerQuery.AddStage(new UnwindStage(element, left));
        var joined = outerQuery.RootDocument.Joined(innerQuery.EntityType, element);
        var innerShaper = DocumentRebaser.Rebase(inner.ShaperExpression, innerQuery.RootDocument, joined, element + ".");
        if (left && innerShaper is StructuralTypeShaperExpression structural)
        {
            innerShaper = structural.MakeNullable();
        }

        var body =
            new ReplacingExpressionVisitor([resultSelector.Parameters[0], resultSelector.Parameters[1]],
                [outer.ShaperExpression, innerShaper]).Visit(resultSelector.Body);
        return outer.UpdateShaperExpression(body);
    }

    private (MqlExpression Outer, MqlExpression Inner)? JoinKeys(ShapedQueryExpression outer, ShapedQueryExpression inner,
        LambdaExpression outerKeySelector, LambdaExpression innerKeySelector)
    {
        if (Query(outer).ResultOperator != ResultOperator.None || Query(inner).ResultOperator != ResultOperator.None)
        {
            return null;
        }

        var outerSelector = EntityKeySelector(outer, outerKeySelector);
        var innerSelector = EntityKeySelector(inner, innerKeySelector);
        var outerKey = TranslateLambda(outer, outerSelector);
        var innerKey = TranslateLambda(inner, innerSelector);
        if (outerKey is null || innerKey is null)
        {
            return null;
        }

        if (outerSelector != outerKeySelector && innerSelector != innerKeySelector)
        {
            // A null entity (a default row of DefaultIfEmpty) joins nothing, as in LINQ; $eq would match missing with missing.
            var nullKey = new MqlConstantExpression(null, innerKey.Type);
            Query(inner).ApplyPredicate(new MqlBinaryExpression(MqlOperator.NotEqual, innerKey, nullKey, typeof(bool)));
        }

        return (outerKey, innerKey);
    }

    private static readonly System.Reflection.MethodInfo EfPropertyMethod = typeof(EF).GetMethod(nameof(EF.Property))!;

    /// <summary>
    /// A join on whole entities (<c>Join(..., o => o, i => i, ...)</c>) joins on their keys, as EF Core's entity equality
    /// does: the selector becomes one of the entity's single-property key. Any other selector is kept.
    /// </summary>
    private static LambdaExpression EntityKeySelector(ShapedQueryExpression source, LambdaExpression selector)
    {
        var body = ReplacingExpressionVisitor.Replace(selector.Parameters[0], source.ShaperExpression, selector.Body);
        if (MemberBinder.UnwrapShaper(body) is not { StructuralType: IEntityType entityType }
            || entityType.FindPrimaryKey()?.Properties is not [var key])
        {
            return selector;
        }

        var read =
            Expression.Call(EfPropertyMethod.MakeGenericMethod(key.ClrType), Expression.Convert(selector.Body, typeof(object)),
                Expression.Constant(key.Name));
        return Expression.Lambda(read, selector.Parameters);
    }

    // Equal fields join with localField/foreignField (MongoDB can use an index on the foreign field); anything else correlates with let.
    private static LookupStage Lookup(string element, MongoQueryExpression inner, MqlExpression outerKey, MqlExpression innerKey) =>
        outerKey is MqlFieldExpression outerField && innerKey is MqlFieldExpression innerField && inner.Stages.Count == 0
            ? new LookupStage(element, inner, outerField.Path, innerField.Path, null, null)
            : new LookupStage(element, inner, null, null, outerKey, innerKey);

    // RightJoin is a LeftJoin from the other side: the inner query's rows each keep their row, the outer's join into them.
    protected override ShapedQueryExpression? TranslateRightJoin(
        ShapedQueryExpression outer,
        ShapedQueryExpression inner,
        LambdaExpression outerKeySelector,
        LambdaExpression innerKeySelector,
        LambdaExpression resultSelector) =>
        TranslateJoin(
            inner,
            outer,
            innerKeySelector,
            outerKeySelector,
            Expression.Lambda(resultSelector.Body, resultSelector.Parameters[1], resultSelector.Parameters[0]),
            left: true);

    protected override ShapedQueryExpression? TranslateReverse(ShapedQueryExpression source) =>
        Query(source).ReverseOrdering() || Query(source).AppendReversedOrdering() ? source : NotYet("Reverse without an ordering");

    protected override ShapedQueryExpression? TranslateSelectMany(ShapedQueryExpression source, LambdaExpression collectionSelector,
        LambdaExpression resultSelector)
    {
        var query = Query(source);
        if (query.ResultOperator != ResultOperator.None)
        {
            return null;
        }

        _current = query;
        var collection =
            ReplacingExpressionVisitor.Replace(collectionSelector.Parameters[0], source.ShaperExpression, collectionSelector.Body);
        if (Unwind(query, collection) is not { } element)
        {
            return null;
        }

        var body =
            new ReplacingExpressionVisitor([resultSelector.Parameters[0], resultSelector.Parameters[1]],
                [source.ShaperExpression, element]).Visit(resultSelector.Body);
        _current = query;
        var shaper = _projectionBinder.Bind(body);
        if (shaper is null)
        {
            AddTranslationErrorDetails(_projectionBinder.TranslationErrorDetails!);
            return null;
        }

        return source.UpdateShaperExpression(shaper);
    }

    protected override ShapedQueryExpression? TranslateSelectMany(ShapedQueryExpression source, LambdaExpression selector)
    {
        var elementType = selector.ReturnType.IsGenericType && selector.ReturnType.GetGenericTypeDefinition() == typeof(IEnumerable<>)
            ? selector.ReturnType.GetGenericArguments()[0]
            : selector.ReturnType.GetInterfaces().First(i =>
                i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)).GetGenericArguments()[0];
        var outer = Expression.Parameter(selector.Parameters[0].Type, "outer");
        var item = Expression.Parameter(elementType, "item");
        return TranslateSelectMany(source, selector, Expression.Lambda(item, outer, item));
    }

    /// <summary>
    /// One row per element of <paramref name="collection"/>, and the shaper of that element. Another collection
    /// (a collection navigation, a correlated query) is joined with <c>$lookup</c> and the joined array unwound; a
    /// stored array (after Where/Select) is copied to a temporary field first, so the row keeps its own array for the
    /// result selector, and that field unwound. Rows whose collection is empty, null or missing produce none, as in LINQ.
    /// </summary>
    private Expression? Unwind(MongoQueryExpression query, Expression collection)
    {
        var unwrapped = ArrayOperatorTranslator.Unwrap(collection);
        var beforeDefault = DefaultIfEmptyTranslator.Source(unwrapped);
        var defaultIfEmpty = beforeDefault is not null;
        if (beforeDefault is not null)
        {
            unwrapped = ArrayOperatorTranslator.Unwrap(beforeDefault);
            if (!ArrayOperatorTranslator.ContainsQueryRoot(unwrapped))
            {
                // A left SelectMany would yield default(T) for an empty array; $unwind's preserveNullAndEmptyArrays yields a missing value.
                AddTranslationErrorDetails("SelectMany over DefaultIfEmpty() of a stored array or owned collection is not supported yet; "
                    + "over a collection navigation or a subquery of another collection it is.");
                return null;
            }
        }

        if (ArrayOperatorTranslator.ContainsQueryRoot(unwrapped))
        {
            if (JoinSubquery(unwrapped) is not { } joined)
            {
                AddTranslationErrorDetails(_translator.TranslationErrorDetails
                    ?? "SelectMany over this subquery could not be joined ($lookup).");
                return null;
            }

            // Over DefaultIfEmpty() (an outer apply) a row without matches stays, with the element missing: its default.
            query.AddStage(new UnwindStage(joined.Element, PreserveNullAndEmptyArrays: defaultIfEmpty));
            var itemDocument = joined.ItemRoot ?? new EntityDocumentExpression(query.EntityType, "");
            var at = query.RootDocument.Joined(itemDocument.EntityType, joined.Element);
            var joinedElement = DocumentRebaser.Rebase(joined.InnerShaper, itemDocument, at, joined.Element + ".");
            return defaultIfEmpty ? DefaultIfEmptyTranslator.OrDefault(query, joined.Element, joinedElement) : joinedElement;
        }

        if (_translator.TranslateArraySource(collection) is not { } array)
        {
            AddTranslationErrorDetails(_translator.TranslationErrorDetails
                ?? "SelectMany needs a collection navigation, an owned collection or a primitive collection (optionally after " +
                    "Where/Select).");
            return null;
        }

        var field = query.NewTemporaryField("u");
        const string variable = "\u0001";
        Expression? element = array.Element(variable) switch
        {
            MqlFieldExpression { Path: "$" + variable } value =>
                new DocumentValueExpression(field, value.Type, value.Property, value.TypeMapping),
            StructuralTypeShaperExpression { ValueBufferExpression: EntityDocumentExpression { Path: "$" + variable
                + "." } document } shaper
                => shaper.Update(new EntityDocumentExpression(document.EntityType, field + ".", document.Owner, document.Navigation)),
            _ => null,
        };
        if (element is null)
        {
            AddTranslationErrorDetails("SelectMany over this collection's elements is not supported: select values or owned entities.");
            return null;
        }

        query.AddStage(new AddFieldsStage(field, array.Array));
        query.AddStage(new UnwindStage(field, PreserveNullAndEmptyArrays: false));
        return element;
    }

    protected override ShapedQueryExpression? TranslateSkipWhile(ShapedQueryExpression source, LambdaExpression predicate) =>
        NotYet("SkipWhile");

    protected override ShapedQueryExpression? TranslateTakeWhile(ShapedQueryExpression source, LambdaExpression predicate) =>
        NotYet("TakeWhile");
}
