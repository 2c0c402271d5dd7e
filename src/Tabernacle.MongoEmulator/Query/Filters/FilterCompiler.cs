using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary>Turns a filter document into a tree of <see cref="FilterNode"/>s, once per command.</summary>
internal sealed class FilterCompiler
{
    public FilterCompiler(Collation? collation, BsonDocument? variables)
    {
        Collation = collation;
        Variables = variables;
        Comparer = BsonValueComparer.For(collation);
    }

    public Collation? Collation { get; }

    public BsonDocument? Variables { get; }

    public BsonValueComparer Comparer { get; }

    /// <summary>
    /// Parses a query document (the implicit AND of its fields). <paramref name="conditions"/> is non-null only while
    /// parsing the top level and top-level <c>$and</c>s, where equality and range conditions are collected.
    /// </summary>
    public FilterNode ParseFilter(BsonDocument filter, FilterConditionsCollector? conditions)
    {
        if (filter.ElementCount == 0)
        {
            return ConstantNode.True;
        }

        var nodes = new List<FilterNode>(filter.ElementCount);
        foreach (var element in filter)
        {
            if (element.Name.StartsWith('$'))
            {
                if (!FilterOperatorRegistry.TopLevelOperators.TryGetValue(element.Name, out var parser))
                {
                    throw new MongoErrorException(ErrorCodes.BadValue, $"unknown top level operator: {element.Name}");
                }

                var node = parser(element.Value, this, conditions);
                if (!ReferenceEquals(node, ConstantNode.True))
                {
                    nodes.Add(node);
                }
            }
            else
            {
                nodes.Add(ParseField(element.Name, element.Value, conditions));
            }
        }

        return nodes.Count switch
        {
            0 => ConstantNode.True,
            1 => nodes[0],
            _ => new AndNode([.. nodes]),
        };
    }

    private FilterNode ParseField(string name, BsonValue value, FilterConditionsCollector? conditions)
    {
        var path = FieldPath.Parse(name);
        if (value is BsonDocument operators && operators.ElementCount > 0 && operators.GetElement(0).Name.StartsWith('$'))
        {
            var matcher = ParseOperatorDocument(operators);
            conditions?.Collect(name, matcher);
            return ToPathFilter(path, matcher);
        }

        if (value is BsonRegularExpression regex)
        {
            return new PathNode(path, RegexMatcher.From(regex));
        }

        var equality = new EqualityMatcher(value, Comparer);
        conditions?.Collect(name, equality);
        return new PathNode(path, equality);
    }

    /// <summary>Parses <c>{$gt: 1, $lt: 5}</c>-style operators on one value into a single matcher.</summary>
    public ValueMatcher ParseOperatorDocument(BsonDocument operators)
    {
        var matchers = new List<ValueMatcher>(operators.ElementCount);
        BsonValue? regex = null;
        BsonValue? options = null;
        foreach (var element in operators)
        {
            switch (element.Name)
            {
                case "$regex":
                    regex = element.Value;
                    break;
                case "$options":
                    options = element.Value;
                    break;
                case "$comment":
                    break;
                default:
                    if (!FilterOperatorRegistry.FieldOperators.TryGetValue(element.Name, out var parser))
                    {
                        throw new MongoErrorException(ErrorCodes.BadValue, $"unknown operator: {element.Name}");
                    }

                    matchers.Add(parser(element.Value, this));
                    break;
            }
        }

        if (regex is not null)
        {
            matchers.Add(ParseRegex(regex, options));
        }
        else if (options is not null)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "$options needs a $regex");
        }

        return matchers.Count == 1 ? matchers[0] : new AllOfMatcher([.. matchers]);
    }

    private static RegexMatcher ParseRegex(BsonValue regex, BsonValue? options)
    {
        if (options is not null && !options.IsString)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "$options has to be a string");
        }

        switch (regex)
        {
            case BsonString pattern:
                return new RegexMatcher(pattern.Value, options?.AsString ?? string.Empty);
            case BsonRegularExpression literal:
                if (options is not null && literal.Options.Length > 0)
                {
                    throw new MongoErrorException(51075, "options set in both $regex and $options");
                }

                return new RegexMatcher(literal.Pattern, options?.AsString ?? literal.Options);
            default:
                throw new MongoErrorException(ErrorCodes.BadValue, "$regex has to be a string");
        }
    }

    /// <summary>
    /// Places a value matcher on a path. Negations and conjunctions are lifted above the path so that each operator
    /// traverses the path on its own, as MongoDB evaluates them.
    /// </summary>
    public static FilterNode ToPathFilter(FieldPath path, ValueMatcher matcher)
    {
        switch (matcher)
        {
            case NotMatcher not:
                return new NotNode(ToPathFilter(path, not.Inner));
            case AllOfMatcher all:
                var nodes = new FilterNode[all.Conditions.Length];
                for (var i = 0; i < nodes.Length; i++)
                {
                    nodes[i] = ToPathFilter(path, all.Conditions[i]);
                }

                return new AndNode(nodes);
            case ConstantMatcher constant:
                return constant.Matches(null) ? ConstantNode.True : ConstantNode.False;
            default:
                return new PathNode(path, matcher);
        }
    }
}
