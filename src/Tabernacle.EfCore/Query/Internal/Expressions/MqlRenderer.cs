using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore.Storage;
using MongoDB.Bson;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>A parameter slot of a rendered query: where the value of <see cref="Name"/> goes, and how it is converted.</summary>
internal sealed record ParameterSlot(string Name, CoreTypeMapping? Mapping, ParameterTransform Transform, bool IsList);

/// <summary>
/// Renders the query model to MQL once per compiled query. Constants are written in place; parameters become
/// placeholder documents (<c>{"$$p": index}</c>) that <see cref="CompiledMongoQuery"/> fills at each execution.
/// Filters use the query language where MongoDB's semantics match C#'s (and indexes apply), and <c>$expr</c> elsewhere.
/// </summary>
internal sealed class MqlRenderer
{
    public const string PlaceholderKey = "$$tabernacle_parameter";

    /// <summary>A stage that stands for a list of stages bound at execution (spliced into the pipeline then).</summary>
    public const string SpliceKey = "$$tabernacle_stages";

    private readonly List<ParameterSlot> _slots = [];

    public IReadOnlyList<ParameterSlot> Slots => _slots;

    // ---- Filters (query language) ----

    public BsonDocument RenderFilter(MqlExpression predicate)
    {
        switch (predicate)
        {
            case MqlConstantExpression { Value: true }:
                return [];
            case MqlConstantExpression { Value: false }:
                return new BsonDocument("$expr", false);
            case MqlBinaryExpression { Operator: MqlOperator.And } and:
                return Combine("$and", Flatten(and, MqlOperator.And).Select(RenderFilter));
            case MqlBinaryExpression { Operator: MqlOperator.Or } or:
                return Combine("$or", Flatten(or, MqlOperator.Or).Select(RenderFilter));
            case MqlNotExpression not:
                return RenderNegatedFilter(not.Operand);
            case MqlRawFilterExpression raw:
                return Placeholder(new ParameterSlot(raw.Filter.Name, null, ParameterTransform.None, IsList: false));
            case MqlFieldExpression field when field.Type == typeof(bool) || field.Type == typeof(bool?):
                return new BsonDocument(field.Path, true);
            case MqlBinaryExpression { IsComparison: true } comparison
                when TryFieldAndValue(comparison, out var field, out var value, out var op):
                return RenderFieldComparison(field, value, op);
            case MqlRegexExpression { Field: MqlFieldExpression field, Pattern: MqlConstantExpression or MqlParameterExpression } regex:
                return new BsonDocument(field.Path,
                    new BsonDocument { { "$regex", RenderValue(regex.Pattern, null) }, { "$options", regex.Options } });
            case MqlArrayContainsExpression { Array: MqlFieldExpression array,
                Item: MqlConstantExpression or MqlParameterExpression } contains when !array.Path.StartsWith('$'):
                // The query language matches an array field against any of its elements (and uses a multikey index).
                return new BsonDocument(array.Path, new BsonDocument("$eq", RenderValue(contains.Item, ElementMapping(array))));
            case MqlInExpression { Item: MqlFieldExpression field, Values: MqlConstantExpression or MqlParameterExpression } @in:
                return new BsonDocument(field.Path, new BsonDocument("$in", RenderList(@in.Values, field.TypeMapping)));
            default:
                return new BsonDocument("$expr", RenderExpression(predicate));
        }
    }

    private BsonDocument RenderNegatedFilter(MqlExpression operand) => operand switch
    {
        MqlFieldExpression field when field.Type == typeof(bool) => new BsonDocument(field.Path, new BsonDocument("$ne", true)),
        MqlNotExpression inner => RenderFilter(inner.Operand),
        _ => new BsonDocument("$nor", new BsonArray { RenderFilter(operand) }),
    };

    private static BsonDocument Combine(string op, IEnumerable<BsonDocument> parts)
    {
        var list = parts.Where(p => p.ElementCount > 0).ToList();
        return list.Count switch
        {
            0 => [],
            1 => list[0],
            _ => new BsonDocument(op, new BsonArray(list)),
        };
    }

    private static IEnumerable<MqlExpression> Flatten(MqlBinaryExpression expression, MqlOperator op)
    {
        foreach (var side in new[] { expression.Left, expression.Right })
        {
            if (side is MqlBinaryExpression inner && inner.Operator == op)
            {
                foreach (var part in Flatten(inner, op))
                {
                    yield return part;
                }
            }
            else
            {
                yield return side;
            }
        }
    }

    private static bool TryFieldAndValue(MqlBinaryExpression comparison, out MqlFieldExpression field, out MqlExpression value,
        out MqlOperator op)
    {
        op = comparison.Operator;
        if (comparison.Left is MqlFieldExpression left && comparison.Right is MqlConstantExpression or MqlParameterExpression)
        {
            field = left;
            value = comparison.Right;
            return true;
        }

        if (comparison.Right is MqlFieldExpression right && comparison.Left is MqlConstantExpression or MqlParameterExpression)
        {
            field = right;
            value = comparison.Left;
            op = op switch
            {
                MqlOperator.GreaterThan => MqlOperator.LessThan,
                MqlOperator.GreaterThanOrEqual => MqlOperator.LessThanOrEqual,
                MqlOperator.LessThan => MqlOperator.GreaterThan,
                MqlOperator.LessThanOrEqual => MqlOperator.GreaterThanOrEqual,
                _ => op,
            };
            return true;
        }

        field = null!;
        value = null!;
        return false;
    }

    private BsonDocument RenderFieldComparison(MqlFieldExpression field, MqlExpression value, MqlOperator op)
    {
        var mapping = value.TypeMapping ?? field.TypeMapping;
        if (value is MqlConstantExpression { Value: null })
        {
            // C#: x == null matches null (and, in MongoDB, missing); x != null the rest; an ordering against null is false.
            return op switch
            {
                MqlOperator.Equal => new BsonDocument(field.Path, BsonNull.Value),
                MqlOperator.NotEqual => new BsonDocument(field.Path, new BsonDocument("$ne", BsonNull.Value)),
                _ => new BsonDocument("$expr", false),
            };
        }

        var rendered = RenderValue(value, mapping);
        return op switch
        {
            MqlOperator.Equal => new BsonDocument(field.Path, new BsonDocument("$eq", rendered)),
            MqlOperator.NotEqual => new BsonDocument(field.Path, new BsonDocument("$ne", rendered)),
            MqlOperator.GreaterThan => new BsonDocument(field.Path, new BsonDocument("$gt", rendered)),
            MqlOperator.GreaterThanOrEqual => new BsonDocument(field.Path, new BsonDocument("$gte", rendered)),
            MqlOperator.LessThan => new BsonDocument(field.Path, new BsonDocument("$lt", rendered)),
            MqlOperator.LessThanOrEqual => new BsonDocument(field.Path, new BsonDocument("$lte", rendered)),
            _ => throw new InvalidOperationException($"{op} is not a comparison"),
        };
    }

    // ---- Values ----

    /// <summary>A constant or parameter as a BSON value (parameters as placeholders), written with <paramref name="mapping"/>.</summary>
    public BsonValue RenderValue(MqlExpression value, CoreTypeMapping? mapping)
    {
        mapping = value.TypeMapping ?? mapping;
        return value switch
        {
            MqlConstantExpression constant => PropertyBson.ToBson(mapping, constant.Value),
            MqlParameterExpression parameter => Placeholder(new ParameterSlot(parameter.Name, mapping, parameter.Transform, IsList: false)),
            _ => throw new InvalidOperationException($"'{value}' is not a constant or parameter."),
        };
    }

    /// <summary>The regular expression a StartsWith/EndsWith/Contains argument becomes (PCRE-escaped literal).</summary>
    public static string Pattern(string value, ParameterTransform transform)
    {
        var escaped = Regex.Escape(value);
        return transform switch
        {
            ParameterTransform.StartsWithPattern => "^" + escaped,
            ParameterTransform.EndsWithPattern => escaped + "$",
            ParameterTransform.ContainsPattern => escaped,
            ParameterTransform.EqualsIgnoreCasePattern => "^" + escaped + "$",
            ParameterTransform.LikePattern => Translators.LikePatterns.ToRegex(value, escapeCharacter: null),
            _ => value,
        };
    }

    /// <summary>A list for <c>$in</c>: each element written with the item's mapping.</summary>
    private BsonValue RenderList(MqlExpression values, CoreTypeMapping? itemMapping) => values switch
    {
        MqlConstantExpression { Value: System.Collections.IEnumerable items } =>
            new BsonArray(items.Cast<object?>().Select(i => PropertyBson.ToBson(itemMapping, i))),
        MqlParameterExpression parameter =>
            Placeholder(new ParameterSlot(parameter.Name, itemMapping, ParameterTransform.None, IsList: true)),
        _ => throw new InvalidOperationException("$in needs a list."),
    };

    private BsonDocument Placeholder(ParameterSlot slot)
    {
        _slots.Add(slot);
        return new BsonDocument(PlaceholderKey, _slots.Count - 1);
    }

    // ---- Aggregation expressions ----

    public BsonValue RenderExpression(MqlExpression expression)
    {
        switch (expression)
        {
            case MqlFieldExpression field:
                return "$" + field.Path;
            case MqlConstantExpression constant:
                var literal = constant.Value is string s ? new BsonString(s) : PropertyBson.ToBson(constant.TypeMapping, constant.Value);
                return NeedsLiteral(literal) ? new BsonDocument("$literal", literal) : literal;
            case MqlParameterExpression parameter:
                return new BsonDocument("$literal", RenderValue(parameter, null));
            case MqlNotExpression not:
                return new BsonDocument("$not", new BsonArray { RenderExpression(not.Operand) });
            case MqlBinaryExpression binary:
                return RenderBinary(binary);
            case MqlFunctionExpression function:
                return new BsonDocument(function.Name, function.ArgumentsAsArray
                    ? new BsonArray(function.Arguments.Select(RenderExpression))
                    : RenderExpression(function.Arguments[0]));
            case MqlRegexExpression regex:
                return new BsonDocument("$regexMatch", new BsonDocument
                {
                    { "input", RenderExpression(regex.Field) },
                    { "regex",
                        regex.Pattern is MqlConstantExpression or MqlParameterExpression ? RenderValue(regex.Pattern, null)
                            : RenderExpression(regex.Pattern) },
                    { "options", regex.Options },
                });
            case MqlInExpression @in:
                return new BsonDocument("$in", new BsonArray { RenderExpression(@in.Item), RenderList(@in.Values, @in.Item.TypeMapping) });
            case MqlArrayContainsExpression contains:
                var item = contains.Item is MqlConstantExpression or MqlParameterExpression
                    ? new BsonDocument("$literal", RenderValue(contains.Item, ElementMapping(contains.Array)))
                    : RenderExpression(contains.Item);
                return new BsonDocument("$in", new BsonArray { item, IfNullEmptyArray(RenderExpression(contains.Array)) });
            case MqlStructuredExpression structured:
                var arguments = new Queue<MqlExpression>(structured.Arguments);
                return new BsonDocument(structured.Name, FillArguments(structured.Template, arguments));
            case MqlIfNullArrayExpression ifNull:
                return IfNullEmptyArray(RenderExpression(ifNull.Array));
            case MqlArrayExpression array:
                return new BsonArray(array.Elements.Select(RenderExpression));
            case MqlDocumentExpression document:
                var rendered = new BsonDocument();
                foreach (var (name, value) in document.Members)
                {
                    rendered[name] = RenderExpression(value);
                }

                return rendered;
            case MqlRawExpression raw:
                return raw.Expression;
            case MqlNamedArgumentsExpression named:
                return new BsonDocument(named.Name,
                    new BsonDocument(named.Arguments.Select(a => new BsonElement(a.Key, RenderExpression(a.Value)))));
            case MqlConditionalExpression conditional:
                return new BsonDocument("$cond",
                    new BsonArray { RenderExpression(conditional.Test), RenderExpression(conditional.IfTrue),
                        RenderExpression(conditional.IfFalse) });
            default:
                throw new InvalidOperationException($"Cannot render '{expression}' as MQL.");
        }
    }

    private BsonValue FillArguments(BsonValue template, Queue<MqlExpression> arguments)
    {
        switch (template)
        {
            case BsonDocument marker when ReferenceEquals(marker, MqlStructuredExpression.ArgumentMarker):
                var argument = arguments.Dequeue();
                return argument is MqlFieldExpression or MqlStructuredExpression && argument.Type != typeof(bool)
                    && marker == MqlStructuredExpression.ArgumentMarker
                    ? IfNullEmptyArrayWhenArray(argument)
                    : RenderExpression(argument);
            case BsonDocument document:
                var copy = new BsonDocument();
                foreach (var element in document)
                {
                    copy[element.Name] = FillArguments(element.Value, arguments);
                }

                return copy;
            default:
                return template;
        }
    }

    // $filter/$map inputs must be arrays: a missing array field reads as empty.
    private BsonValue IfNullEmptyArrayWhenArray(MqlExpression argument) =>
        argument.Type != typeof(string) && Storage.Internal.BsonValueMapper.ElementTypeOf(argument.Type) is not null
            ? IfNullEmptyArray(RenderExpression(argument))
            : RenderExpression(argument);

    /// <summary>An array expression, or an empty array when the field is missing or null (array operators reject both).</summary>
    public static BsonValue IfNullEmptyArray(BsonValue array) => new BsonDocument("$ifNull", new BsonArray { array, new BsonArray() });

    private static CoreTypeMapping? ElementMapping(MqlExpression array) => array.TypeMapping?.ElementTypeMapping ?? array.TypeMapping;

    private static bool NeedsLiteral(BsonValue value) =>
        value is BsonString { Value: var s } && s.StartsWith('$') || value is BsonDocument or BsonArray;

    private BsonValue RenderBinary(MqlBinaryExpression binary)
    {
        var left = RenderExpression(binary.Left);
        var right = RenderExpression(binary.Right);
        switch (binary.Operator)
        {
            case MqlOperator.And:
                return new BsonDocument("$and", new BsonArray { left, right });
            case MqlOperator.Or:
                return new BsonDocument("$or", new BsonArray { left, right });
            case MqlOperator.Equal:
                return new BsonDocument("$eq", new BsonArray { NullIfMissing(binary.Left, left), NullIfMissing(binary.Right, right) });
            case MqlOperator.NotEqual:
                return new BsonDocument("$ne", new BsonArray { NullIfMissing(binary.Left, left), NullIfMissing(binary.Right, right) });
            case MqlOperator.GreaterThan or MqlOperator.GreaterThanOrEqual or MqlOperator.LessThan or MqlOperator.LessThanOrEqual:
                var comparison = new BsonDocument(ComparisonOperator(binary.Operator), new BsonArray { left, right });
                if (!CanBeNull(binary.Left) && !CanBeNull(binary.Right))
                {
                    return comparison;
                }

                // C#'s lifted comparisons are false when either side is null; MongoDB orders null below every value.
                var guards = new BsonArray();
                if (CanBeNull(binary.Left))
                {
                    guards.Add(new BsonDocument("$gt", new BsonArray { left, BsonNull.Value }));
                }

                if (CanBeNull(binary.Right))
                {
                    guards.Add(new BsonDocument("$gt", new BsonArray { right, BsonNull.Value }));
                }

                guards.Add(comparison);
                return new BsonDocument("$and", guards);
            case MqlOperator.Add:
                return new BsonDocument(binary.Type == typeof(string) ? "$concat" : "$add", new BsonArray { left, right });
            case MqlOperator.Subtract:
                return new BsonDocument("$subtract", new BsonArray { left, right });
            case MqlOperator.Multiply:
                return new BsonDocument("$multiply", new BsonArray { left, right });
            case MqlOperator.Divide:
                var divide = new BsonDocument("$divide", new BsonArray { left, right });
                return IsIntegral(binary.Type) ? new BsonDocument("$trunc", new BsonArray { divide }) : divide;
            case MqlOperator.Modulo:
                return new BsonDocument("$mod", new BsonArray { left, right });
            case MqlOperator.Coalesce:
                return new BsonDocument("$ifNull", new BsonArray { left, right });
            case MqlOperator.BitwiseAnd:
                return new BsonDocument("$bitAnd", new BsonArray { left, right });
            case MqlOperator.BitwiseOr:
                return new BsonDocument("$bitOr", new BsonArray { left, right });
            case MqlOperator.ExclusiveOr:
                return new BsonDocument("$bitXor", new BsonArray { left, right });
            default:
                throw new InvalidOperationException($"Unknown operator {binary.Operator}");
        }
    }

    // A missing field, and the first, last or n-th element of an empty array (FirstOrDefault of a joined subquery), is
    // "missing" in an aggregation expression, which $eq does not take for null as C# does.
    private static BsonValue NullIfMissing(MqlExpression source, BsonValue rendered) =>
        source is MqlFieldExpression or MqlFunctionExpression { Name: "$first" or "$last" or "$arrayElemAt" }
            ? new BsonDocument("$ifNull", new BsonArray { rendered, BsonNull.Value })
            : rendered;

    private static string ComparisonOperator(MqlOperator op) => op switch
    {
        MqlOperator.GreaterThan => "$gt",
        MqlOperator.GreaterThanOrEqual => "$gte",
        MqlOperator.LessThan => "$lt",
        _ => "$lte",
    };

    private static bool CanBeNull(MqlExpression expression) => expression switch
    {
        MqlConstantExpression constant => constant.Value is null,
        MqlParameterExpression parameter => !parameter.Type.IsValueType || Nullable.GetUnderlyingType(parameter.Type) is not null,
        _ => !expression.Type.IsValueType || Nullable.GetUnderlyingType(expression.Type) is not null,
    };

    private static bool IsIntegral(Type type)
    {
        var t = Nullable.GetUnderlyingType(type) ?? type;
        return t == typeof(int) || t == typeof(long) || t == typeof(short) || t == typeof(byte) || t == typeof(uint) || t == typeof(ulong)
            || t == typeof(ushort) || t == typeof(sbyte);
    }

    // ---- Stages ----

    /// <summary>The aggregation stages of <paramref name="stages"/>.</summary>
    public List<BsonDocument> RenderStages(IEnumerable<QueryStage> stages)
    {
        var pipeline = new List<BsonDocument>();
        foreach (var stage in stages)
        {
            if (stage is SortStage { HasComputedKeys: true } computed)
            {
                pipeline.AddRange(RenderComputedSort(computed));
                continue;
            }

            pipeline.Add(stage switch
            {
                MatchStage match => new BsonDocument("$match", RenderFilter(match.Predicate)),
                SortStage sort => new BsonDocument("$sort", RenderSort(sort.Keys)!),
                SkipStage skip => new BsonDocument("$skip", RenderValue(skip.Count, null)),
                LimitStage limit => new BsonDocument("$limit", RenderValue(limit.Count, null)),
                GroupStage group => new BsonDocument("$group", RenderGroup(group)),
                LookupStage lookup => new BsonDocument("$lookup", RenderLookup(lookup)),
                AddFieldsStage addFields =>
                    new BsonDocument("$addFields", new BsonDocument(addFields.Field, RenderExpression(addFields.Value))),
                UnwindStage unwind =>
                    new BsonDocument("$unwind",
                        new BsonDocument { { "path", "$" + unwind.Path },
                            { "preserveNullAndEmptyArrays", unwind.PreserveNullAndEmptyArrays } }),
                RawPipelineStage raw =>
                    new BsonDocument(SpliceKey,
                        Placeholder(new ParameterSlot(raw.Stages.Name, null, ParameterTransform.None, IsList: true))),
                UnionWithStage union =>
                    new BsonDocument("$unionWith",
                        new BsonDocument { { "coll", union.Other.CollectionName },
                            { "pipeline", new BsonArray(RenderStages(union.Other.Stages)) } }),
                ProjectStage project => new BsonDocument("$project", RenderProject(project)),
                BsonStage bson => bson.Stage,
                _ => throw new InvalidOperationException($"Unknown stage {stage}"),
            });
        }

        return pipeline;
    }

    private BsonDocument RenderProject(ProjectStage project)
    {
        var document = new BsonDocument("_id", 0);
        foreach (var (field, value) in project.Fields)
        {
            // In $project a bare number or boolean means "include the field": values are always expressions here.
            var rendered = RenderExpression(value);
            document[field] = rendered is BsonDocument || rendered is BsonString { Value: var s } && s.StartsWith('$')
                ? rendered
                : new BsonDocument("$literal", rendered);
        }

        if (project.Side is { } side)
        {
            document["__side"] = new BsonDocument("$literal", side);
        }

        return document;
    }

    private BsonDocument RenderLookup(LookupStage lookup)
    {
        var inner = lookup.Inner;
        if (lookup.LocalField is not null && lookup.ForeignField is not null && inner.Stages.Count == 0)
        {
            return new BsonDocument { { "from", inner.CollectionName }, { "localField", lookup.LocalField },
                { "foreignField", lookup.ForeignField }, { "as", lookup.As } };
        }

        // Fields of the outer row inside the inner query become let variables of the lookup.
        var let = new BsonDocument();
        MqlExpression? Outer(MqlFieldExpression field)
        {
            if (field.Root is null || field.Path.StartsWith('$') || ReferenceEquals(field.Root, inner.RootDocument))
            {
                return null;
            }

            var existing = let.FirstOrDefault(e => e.Value == "$" + field.Path);
            var name = existing.Name ?? $"{lookup.As.TrimStart('_')}_v{let.ElementCount}";
            let[name] = "$" + field.Path;
            return new MqlRawExpression("$$" + name, field.Type);
        }

        var pipeline = RenderStages(inner.Stages.Select(s => MqlRewriter.Replace(s, Outer)));
        if (lookup.OuterKey is not null && lookup.InnerKey is not null)
        {
            var key = $"{lookup.As.TrimStart('_')}_key";
            let[key] = RenderExpression(lookup.OuterKey);
            pipeline.Add(
                new BsonDocument("$match",
                    new BsonDocument("$expr", new BsonDocument("$eq", new BsonArray { RenderExpression(lookup.InnerKey), "$$" + key }))));
        }

        var document = new BsonDocument { { "from", inner.CollectionName } };
        if (let.ElementCount > 0)
        {
            document["let"] = let;
        }

        document["pipeline"] = new BsonArray(pipeline);
        document["as"] = lookup.As;
        return document;
    }

    // ---- Grouping ----

    public BsonDocument RenderGroup(GroupStage group)
    {
        var document =
            new BsonDocument("_id", group.Key is MqlConstantExpression { Value: null } ? BsonNull.Value : RenderExpression(group.Key));
        foreach (var accumulator in group.Accumulators)
        {
            document[accumulator.Field] =
                new BsonDocument(accumulator.Operator, accumulator.Argument is null ? 1 : RenderExpression(accumulator.Argument));
        }

        return document;
    }

    // ---- Sorting ----

    private int _sortFields;

    /// <summary>
    /// A sort with computed keys: MongoDB's <c>$sort</c> takes field paths, so each computed key is added to the rows as
    /// a temporary field first and removed after, leaving the documents as they were for the stages and the shaper.
    /// A computed value that is missing (a missing field inside it) is not added, and sorts as null, as a null does.
    /// </summary>
    private IEnumerable<BsonDocument> RenderComputedSort(SortStage stage)
    {
        var added = new BsonDocument();
        var sort = new BsonDocument();
        foreach (var key in stage.Keys)
        {
            string path;
            if (key.Key is MqlFieldExpression field)
            {
                path = field.Path;
            }
            else
            {
                path = $"__s{_sortFields++}";
                added[path] = RenderExpression(key.Key);
            }

            if (!sort.Contains(path))
            {
                sort[path] = key.Ascending ? 1 : -1;
            }
        }

        yield return new BsonDocument("$addFields", added);
        yield return new BsonDocument("$sort", sort);
        yield return new BsonDocument("$unset", new BsonArray(added.Names));
    }

    /// <summary>A <c>$sort</c> document of stored fields; <c>null</c> when a key is computed (see <see
    /// cref="RenderComputedSort"/>).</summary>
    public static BsonDocument? RenderSort(IReadOnlyList<SortKey> keys)
    {
        var sort = new BsonDocument();
        foreach (var key in keys)
        {
            if (key.Key is not MqlFieldExpression field)
            {
                return null;
            }

            if (!sort.Contains(field.Path))
            {
                sort[field.Path] = key.Ascending ? 1 : -1;
            }
        }

        return sort;
    }
}
