using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Filters;

/// <summary><c>$and</c> (and the implicit conjunction of a filter document's fields).</summary>
internal sealed class AndNode(FilterNode[] children) : FilterNode
{
    public FilterNode[] Children { get; } = children;

    public override bool Matches(BsonDocument document, MatchDetails? details)
    {
        foreach (var child in Children)
        {
            if (!child.Matches(document, details))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary><c>$or</c>: the first matching branch wins (and reports its array position).</summary>
internal sealed class OrNode(FilterNode[] children) : FilterNode
{
    public override bool Matches(BsonDocument document, MatchDetails? details)
    {
        foreach (var child in children)
        {
            if (child.Matches(document, details))
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary><c>$nor</c>: no branch may match.</summary>
internal sealed class NorNode(FilterNode[] children) : FilterNode
{
    public override bool Matches(BsonDocument document, MatchDetails? details)
    {
        foreach (var child in children)
        {
            // A negated branch never contributes a positional match.
            if (child.Matches(document, null))
            {
                return false;
            }
        }

        return true;
    }
}

/// <summary>Negation of a path condition (<c>$not</c>, <c>$ne</c>, <c>$nin</c>, <c>$exists: false</c>).</summary>
internal sealed class NotNode(FilterNode child) : FilterNode
{
    public override bool Matches(BsonDocument document, MatchDetails? details) => !child.Matches(document, null);
}

/// <summary>A constant answer (the empty filter, <c>$all: []</c>, <c>$comment</c>).</summary>
internal sealed class ConstantNode : FilterNode
{
    private readonly bool _result;

    private ConstantNode(bool result) => _result = result;

    public static ConstantNode True { get; } = new(true);

    public static ConstantNode False { get; } = new(false);

    public override bool Matches(BsonDocument document, MatchDetails? details) => _result;
}
