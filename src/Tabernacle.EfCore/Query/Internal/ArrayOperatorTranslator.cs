using System.Linq.Expressions;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using MongoDB.Bson;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// LINQ operators over arrays stored in a document — primitive collections (<c>x.Tags</c>), owned collections
/// (<c>x.Reviews</c>) and complex collections (<c>x.Items</c>) — as aggregation expressions: <c>$filter</c>, <c>$map</c>, <c>$size</c>,
/// <c>$in</c>,
/// <c>$sum</c>... Each lambda's element is an aggregation variable (<c>$$e0</c>).
/// </summary>
internal sealed class ArrayOperatorTranslator(MqlTranslatingExpressionVisitor translator)
{
    private int _variables;

    /// <summary>Translates <paramref name="call"/> when its source is a stored array; <c>null</c> otherwise.</summary>
    public MqlExpression? TryTranslate(MethodCallExpression call)
    {
        var method = call.Method;
        if (!method.IsStatic || (method.DeclaringType != typeof(Queryable) && method.DeclaringType != typeof(Enumerable))
            || call.Arguments.Count == 0)
        {
            return null;
        }

        if (TranslateSource(call.Arguments[0]) is not { } source)
        {
            return null;
        }

        var (array, element) = source;
        var lambda = call.Arguments.Count > 1 ? Lambda(call.Arguments[1]) : null;
        switch (method.Name)
        {
            case nameof(Queryable.Any) when lambda is null:
                return new MqlBinaryExpression(MqlOperator.GreaterThan, Size(array), Int(0), typeof(bool));
            case nameof(Queryable.Any):
                return Filter(array, element, lambda!) is { } matching
                    ? new MqlBinaryExpression(MqlOperator.GreaterThan, Size(matching), Int(0), typeof(bool)) : null;
            case nameof(Queryable.All) when lambda is not null:
                return Filter(array, element, lambda, negate: true) is { } failing
                    ? new MqlBinaryExpression(MqlOperator.Equal, Size(failing), Int(0), typeof(bool)) : null;
            case nameof(Queryable.Count) or nameof(Queryable.LongCount) when lambda is null:
                return Retype(Size(array), call.Type);
            case nameof(Queryable.Count) or nameof(Queryable.LongCount):
                return Filter(array, element, lambda!) is { } counted ? Retype(Size(counted), call.Type) : null;
            case nameof(Queryable.Contains) when call.Arguments.Count == 2 && IsEntity(element) && !call.Arguments[1].Type.IsValueType:
            {
                // An entity in a list of entities (c.Orders.Contains(order)): is there one with its key (entity equality).
                var candidate = Expression.Parameter(element("e").Type, "e");
                var sought = call.Arguments[1].Type == candidate.Type ? call.Arguments[1]
                    : Expression.Convert(call.Arguments[1], candidate.Type);
                var sameKey = Expression.Lambda(Expression.ReferenceEqual(candidate, sought), candidate);
                return Filter(array, element, sameKey) is { } withKey
                    ? new MqlBinaryExpression(MqlOperator.GreaterThan, Size(withKey), Int(0), typeof(bool))
                    : null;
            }

            case nameof(Queryable.Contains) when call.Arguments.Count == 2:
                return translator.Translate(call.Arguments[1]) is { } item ? new MqlArrayContainsExpression(array, item) : null;
            case nameof(Queryable.Sum) or nameof(Queryable.Min) or nameof(Queryable.Max) or nameof(Queryable.Average):
                var values = lambda is null ? array : Map(array, element, lambda);
                if (values is null)
                {
                    return null;
                }

                var name = method.Name switch
                {
                    nameof(Queryable.Sum) => "$sum",
                    nameof(Queryable.Min) => "$min",
                    nameof(Queryable.Max) => "$max",
                    _ => "$avg",
                };
                return new MqlFunctionExpression(name, [values], call.Type, argumentsAsArray: false);
            case nameof(Queryable.First) or nameof(Queryable.FirstOrDefault) or nameof(Queryable.Last) or nameof(Queryable.LastOrDefault)
                or nameof(Queryable.ElementAt) or nameof(Queryable.ElementAtOrDefault)
                when IsUnordered(array):
                translator.FailArray(
                    $"{method.Name} after Distinct inside an array is not supported: MongoDB's $setUnion does not keep the elements' " +
                        $"order (add an OrderBy after Distinct).");
                return null;
            case nameof(Queryable.First) or nameof(Queryable.FirstOrDefault) when lambda is null:
                return new MqlFunctionExpression("$first", [array], call.Type, argumentsAsArray: false);
            case nameof(Queryable.Single) or nameof(Queryable.SingleOrDefault) when lambda is null && !IsUnordered(array):
                // Inside a query a subquery's Single cannot throw (EF's relational providers read its first row too).
                return new MqlFunctionExpression("$first", [array], call.Type, argumentsAsArray: false);
            case nameof(Queryable.Last) or nameof(Queryable.LastOrDefault) when lambda is null:
                return new MqlFunctionExpression("$last", [array], call.Type, argumentsAsArray: false);
            case nameof(Queryable.ElementAt) or nameof(Queryable.ElementAtOrDefault):
                return translator.Translate(call.Arguments[1]) is { } index
                    ? new MqlFunctionExpression("$arrayElemAt", [array, index], call.Type) : null;
            default:
                return null;
        }
    }

    /// <summary>
    /// <c>First</c>, <c>FirstOrDefault</c>, <c>Single</c> or <c>SingleOrDefault</c> (without a predicate) of a subquery over
    /// another collection that returns entities, for entity equality: the subquery is joined in, and each key value is
    /// read from the first joined document (<c>$first</c> of the joined documents' keys). <c>null</c> for anything else.
    /// </summary>
    public SubqueryEntityExpression? TranslateFirstEntity(Expression expression)
    {
        while (expression is UnaryExpression { NodeType: ExpressionType.Convert or ExpressionType.TypeAs } convert)
        {
            expression = convert.Operand;
        }

        if (expression is not MethodCallExpression { Method: { IsStatic: true } method } call
            || (method.DeclaringType != typeof(Queryable) && method.DeclaringType != typeof(Enumerable))
            || call.Arguments.Count != 1
            || method.Name
                is not (nameof(Queryable.First) or nameof(Queryable.FirstOrDefault) or nameof(Queryable.Single)
                    or nameof(Queryable.SingleOrDefault))
            || call.Type.IsValueType || call.Type == typeof(string)
            || !ContainsQueryRoot(call.Arguments[0])
            || TranslateSource(call.Arguments[0]) is not { } source
            || IsUnordered(source.Array)
            || MemberBinder.UnwrapShaper(source.Element("e")) is not { StructuralType: IEntityType entityType })
        {
            return null;
        }

        var (array, element) = source;
        return new SubqueryEntityExpression(entityType, call.Type, property =>
        {
            var keyType = property.ClrType.IsValueType && Nullable.GetUnderlyingType(property.ClrType) is null
                ? typeof(Nullable<>).MakeGenericType(property.ClrType)
                : property.ClrType;
            var item = Expression.Parameter(call.Type, "e");
            var selector = Expression.Lambda(
                Expression.Call(EfPropertyMethod.MakeGenericMethod(keyType), Expression.Convert(item, typeof(object)),
                    Expression.Constant(property.Name)),
                item);
            return Map(array, element, selector) is { } keys
                ? new MqlFunctionExpression("$first", [keys], keyType, argumentsAsArray: false)
                : null;
        });
    }

    private static readonly MethodInfo EfPropertyMethod = typeof(EF).GetMethod(nameof(EF.Property))!;

    /// <summary>The array a LINQ source stands for, and how to bind its element; <c>null</c> when it is not a stored array.</summary>
    public (MqlExpression Array, Func<string, Expression> Element)? TranslateSource(Expression source)
    {
        source = Unwrap(source);
        // A subquery over another collection (a collection navigation, a correlated query) is joined in as an array.
        if (ContainsQueryRoot(source) && translator.Host?.JoinSubquery(source) is { } joined)
        {
            var joinedArray = new MqlFieldExpression(joined.Owner.Path + joined.Element, joined.Type, null, null);
            if (joined.ItemDocument is null && SelectedValue(joined.InnerShaper) is { } selected)
            {
                // A subquery that selects one value (Select(c => c.Id)): the joined documents mapped to that value.
                var name = "e" + _variables++;
                var value =
                    new MqlFieldExpression("$" + name + "." + selected.Path, joined.InnerShaper.Type, selected.Property,
                        selected.TypeMapping);
                var values = new MqlStructuredExpression(
                    "$map",
                    new BsonDocument { { "input", Placeholder(joinedArray) }, { "as", name }, { "in", Placeholder(value) } },
                    [joinedArray, value],
                    typeof(IEnumerable<>).MakeGenericType(joined.InnerShaper.Type));
                return (values, n => new MqlFieldExpression("$" + n, joined.InnerShaper.Type, selected.Property, selected.TypeMapping));
            }

            return (joinedArray, name => joined.ItemDocument is { } item
                ? DocumentRebaser.Rebase(joined.InnerShaper, item, new EntityDocumentExpression(item.EntityType, "$" + name + "."),
                    "$" + name + ".")
                : joined.InnerShaper);
        }

        if (source is MethodCallExpression { Method: { IsStatic: true, Name: nameof(Queryable.Distinct) } distinctMethod } distinct
            && (distinctMethod.DeclaringType == typeof(Queryable) || distinctMethod.DeclaringType == typeof(Enumerable))
            && distinct.Arguments.Count == 1
            && TranslateSource(distinct.Arguments[0]) is { } undistinct)
        {
            // $setUnion removes duplicates (by BSON equality: ordinal for strings, as EqualityComparer.Default) but
            // leaves the order unspecified, where LINQ keeps first occurrences in order: see IsUnordered.
            return (new MqlFunctionExpression("$setUnion", [new MqlIfNullArrayExpression(undistinct.Array)], undistinct.Array.Type),
                undistinct.Element);
        }

        if (source
            is MethodCallExpression { Method: { IsStatic: true,
                Name: nameof(Queryable.OrderBy) or nameof(Queryable.OrderByDescending) or nameof(Queryable.ThenBy)
                    or nameof(Queryable.ThenByDescending) } orderMethod } ordered
            && (orderMethod.DeclaringType == typeof(Queryable) || orderMethod.DeclaringType == typeof(Enumerable))
            && ordered.Arguments.Count == 2
            && Lambda(ordered.Arguments[1]) is { } keySelector)
        {
            return SortArray(ordered, orderMethod.Name, keySelector);
        }

        if (source is MethodCallExpression { Method: { IsStatic: true } method } chained
            && (method.DeclaringType == typeof(Queryable) || method.DeclaringType == typeof(Enumerable))
            && chained.Arguments.Count == 2
            && method.Name is nameof(Queryable.Where) or nameof(Queryable.Select)
            && TranslateSource(chained.Arguments[0]) is { } inner
            && Lambda(chained.Arguments[1]) is { } lambda)
        {
            if (method.Name == nameof(Queryable.Where))
            {
                return Filter(inner.Array, inner.Element, lambda) is { } filtered ? (filtered, inner.Element) : null;
            }

            var mapped = Map(inner.Array, inner.Element, lambda);
            return mapped is null ? null
                : (mapped, name => new MqlFieldExpression("$" + name, lambda.ReturnType, null, mapped.TypeMapping?.ElementTypeMapping));
        }

        switch (translator.TranslateOperand(source))
        {
            case MqlFieldExpression { Property: IProperty { IsPrimitiveCollection: true } property } field:
                var elementType = property.GetElementType()!.ClrType;
                var elementMapping = property.GetTypeMapping().ElementTypeMapping;
                return (field, name => new MqlFieldExpression("$" + name, elementType, null, elementMapping));
            case EmbeddedCollectionExpression collection:
                var array =
                    new MqlFieldExpression(collection.Owner.Path + collection.Navigation.GetElementName(), collection.Type, null, null);
                var itemType = collection.Navigation.TargetEntityType;
                return (array, name =>
                    new StructuralTypeShaperExpression(itemType, new EntityDocumentExpression(itemType, "$" + name + "."),
                        nullable: false));
            case ComplexCollectionExpression complex:
                // Each element is a complex object whose members are read from the aggregation variable's document.
                var complexArray = new MqlFieldExpression(complex.Path, complex.Type, null, null);
                var complexElementType = complex.ComplexProperty.ComplexType;
                var ownerType = complex.Owner.EntityType;
                return (complexArray, name =>
                    new StructuralTypeShaperExpression(complexElementType, new EntityDocumentExpression(ownerType, "$" + name + "."),
                        nullable: false));
            default:
                return null;
        }
    }

    /// <summary>
    /// OrderBy/ThenBy(Descending) of a stored array: <c>$sortArray</c> (MongoDB 5.2+), by the element itself
    /// (<c>sortBy: 1</c>) or by stored members of document elements (<c>sortBy: { Quantity: 1 }</c>). Values order
    /// as MongoDB orders them (strings by code point, null first), which is what the provider promises elsewhere.
    /// </summary>
    private (MqlExpression Array, Func<string, Expression> Element)? SortArray(MethodCallExpression call, string methodName,
        LambdaExpression keySelector)
    {
        var thenBy = methodName is nameof(Queryable.ThenBy) or nameof(Queryable.ThenByDescending);
        var direction = methodName is nameof(Queryable.OrderByDescending) or nameof(Queryable.ThenByDescending) ? -1 : 1;
        var source = Unwrap(call.Arguments[0]);

        // ThenBy adds a key to the $sortArray its source built; OrderBy sorts whatever array it is given.
        MqlStructuredExpression? previous = null;
        (MqlExpression Array, Func<string, Expression> Element)? inner;
        if (thenBy)
        {
            inner = TranslateSource(source);
            previous = inner?.Array as MqlStructuredExpression;
            if (previous is not { Name: "$sortArray" } || previous.Template["sortBy"] is not BsonDocument)
            {
                return translator.FailArray("ThenBy inside an array needs an OrderBy by a member before it.");
            }
        }
        else
        {
            inner = TranslateSource(source);
        }

        if (inner is not { } unsorted)
        {
            return null;
        }

        var name = "k" + _variables++;
        var body = ReplacingExpressionVisitor.Replace(keySelector.Parameters[0], unsorted.Element(name), keySelector.Body);
        BsonValue sortBy;
        switch (translator.Translate(body))
        {
            case MqlFieldExpression field when field.Path == "$" + name && !thenBy:
                sortBy = direction;
                break;
            case MqlFieldExpression field when field.Path.StartsWith("$" + name + ".", StringComparison.Ordinal):
                var path = field.Path[(name.Length + 2)..];
                sortBy = previous is null ? new BsonDocument(path, direction)
                    : ((BsonDocument)previous.Template["sortBy"].DeepClone()).Add(path, direction);
                break;
            default:
                return translator.FailArray(
                    "OrderBy inside an array sorts by the element itself or by a stored member of it ($sortArray); a computed key is not " +
                        "supported.");
        }

        var input = previous is null ? unsorted.Array : previous.Arguments[0];
        var template = new BsonDocument { { "input", Placeholder(input) }, { "sortBy", sortBy } };
        return (new MqlStructuredExpression("$sortArray", template, [input], input.Type), unsorted.Element);
    }

    /// <summary>Whether an array's order is unspecified (after Distinct's <c>$setUnion</c>), so First/Last/ElementAt cannot be answered as
    /// LINQ would.</summary>
    private static bool IsUnordered(MqlExpression array) => array switch
    {
        MqlFunctionExpression { Name: "$setUnion" } => true,
        MqlStructuredExpression { Name: "$filter" or "$map" } structured => IsUnordered(structured.Arguments[0]),
        _ => false,
    };

    private static bool IsEntity(Func<string, Expression> element) =>
        MemberBinder.UnwrapShaper(element("e")) is { StructuralType: IEntityType };

    private static DocumentValueExpression? SelectedValue(Expression shaper) => shaper switch
    {
        DocumentValueExpression value => value,
        UnaryExpression { NodeType: ExpressionType.Convert, Operand: DocumentValueExpression value } => value,
        _ => null,
    };

    internal static bool ContainsQueryRoot(Expression expression)
    {
        var finder = new QueryRootFinder();
        finder.Visit(expression);
        return finder.Found;
    }

    private sealed class QueryRootFinder : ExpressionVisitor
    {
        public bool Found { get; private set; }

        protected override Expression VisitExtension(Expression node)
        {
            if (node is EntityQueryRootExpression)
            {
                Found = true;
                return node;
            }

            return node is StructuralTypeShaperExpression or MqlExpression or EntityDocumentExpression or DocumentValueExpression
                ? node
                : base.VisitExtension(node);
        }
    }

    internal static Expression Unwrap(Expression expression)
    {
        while (true)
        {
            switch (expression)
            {
                case MethodCallExpression { Method.Name: nameof(Queryable.AsQueryable) or nameof(Enumerable.AsEnumerable)
                    or nameof(Enumerable.ToList) } call when call.Arguments.Count == 1:
                    expression = call.Arguments[0];
                    continue;
                case MaterializeCollectionNavigationExpression materialize:
                    expression = materialize.Subquery;
                    continue;
                case UnaryExpression { NodeType: ExpressionType.Convert } convert:
                    expression = convert.Operand;
                    continue;
                default:
                    return expression;
            }
        }
    }

    private static LambdaExpression? Lambda(Expression argument) => argument switch
    {
        UnaryExpression { NodeType: ExpressionType.Quote, Operand: LambdaExpression quoted } => quoted,
        LambdaExpression lambda => lambda,
        _ => null,
    };

    private MqlExpression? Filter(MqlExpression array, Func<string, Expression> element, LambdaExpression predicate, bool negate = false)
    {
        var name = "e" + _variables++;
        var body = ReplacingExpressionVisitor.Replace(predicate.Parameters[0], element(name), predicate.Body);
        if (translator.Translate(body) is not { } condition)
        {
            return null;
        }

        var filter = new BsonDocument
        {
            { "input", Placeholder(array) },
            { "as", name },
            { "cond", Placeholder(negate ? new MqlNotExpression(condition) : condition) },
        };
        return new MqlStructuredExpression("$filter", filter, [array, negate ? new MqlNotExpression(condition) : condition], array.Type);
    }

    private MqlExpression? Map(MqlExpression array, Func<string, Expression> element, LambdaExpression selector)
    {
        var name = "e" + _variables++;
        var body = ReplacingExpressionVisitor.Replace(selector.Parameters[0], element(name), selector.Body);
        if (translator.Translate(body) is not { } value)
        {
            return null;
        }

        var map = new BsonDocument { { "input", Placeholder(array) }, { "as", name }, { "in", Placeholder(value) } };
        return new MqlStructuredExpression("$map", map, [array, value], typeof(IEnumerable<>).MakeGenericType(selector.ReturnType));
    }

    // Marks where a translated argument goes inside a structured operator document; the renderer fills them in order.
    private static BsonValue Placeholder(MqlExpression _) => MqlStructuredExpression.ArgumentMarker;

    private static MqlExpression Size(MqlExpression array) =>
        new MqlFunctionExpression("$size", [new MqlIfNullArrayExpression(array)], typeof(int), argumentsAsArray: false);

    private static MqlExpression Int(int value) => new MqlConstantExpression(value, typeof(int));

    private static MqlExpression Retype(MqlExpression expression, Type type) =>
        expression.Type == type ? expression
            : new MqlFunctionExpression(type == typeof(long) ? "$toLong" : "$toInt", [expression], type, argumentsAsArray: false);
}
