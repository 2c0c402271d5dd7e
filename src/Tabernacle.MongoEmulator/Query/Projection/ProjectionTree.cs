using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Projection;

/// <summary>
/// The projection's paths as a tree: each node either ends a path with a leaf or holds sub-paths.
/// Children keep the order of the projection document (computed fields are added in that order).
/// </summary>
internal sealed class ProjectionTree
{
    private readonly Dictionary<string, ProjectionTree> _children = new(StringComparer.Ordinal);
    private readonly List<string> _order = [];

    public ProjectionLeaf? Leaf { get; private set; }

    public int ChildCount => _order.Count;

    public bool TryGetChild(string name, out ProjectionTree child) => _children.TryGetValue(name, out child!);

    public IEnumerable<(string Name, ProjectionTree Child)> Children => _order.Select(name => (name, _children[name]));

    /// <summary>Adds a leaf at a path; a path that is a prefix of another one is a collision, as in MongoDB.</summary>
    public void Add(string[] parts, ProjectionLeaf leaf, string dottedPath)
    {
        var node = this;
        for (var i = 0; i < parts.Length; i++)
        {
            if (node.Leaf is not null)
            {
                throw new Errors.MongoErrorException(31249,
                    $"Path collision at {dottedPath} remaining portion {string.Join('.', parts, i, parts.Length - i)}");
            }

            if (!node._children.TryGetValue(parts[i], out var child))
            {
                child = new ProjectionTree();
                node._children.Add(parts[i], child);
                node._order.Add(parts[i]);
            }

            node = child;
        }

        if (node.Leaf is not null || node.ChildCount > 0)
        {
            throw new Errors.MongoErrorException(31250, $"Path collision at {dottedPath}");
        }

        node.Leaf = leaf;
    }

    /// <summary>Inclusion: only listed fields (in the document's order), then computed fields in the projection's order.</summary>
    public BsonDocument ApplyInclusion(BsonDocument document, ProjectionContext context, bool isRoot)
    {
        var result = new BsonDocument();
        if (isRoot && _children.TryGetValue("_id", out var idNode))
        {
            // _id always comes first, whatever its position in the document.
            AddIncluded(result, "_id", document, idNode, context);
        }

        foreach (var element in document)
        {
            if ((isRoot && element.Name == "_id") || !_children.TryGetValue(element.Name, out var child) || child.Leaf is ComputedLeaf)
            {
                continue;
            }

            AddIncluded(result, element.Name, document, child, context);
        }

        AddComputed(result, context, isRoot);
        return result;
    }

    private void AddComputed(BsonDocument result, ProjectionContext context, bool isRoot)
    {
        foreach (var name in _order)
        {
            var child = _children[name];
            if (isRoot && name == "_id" && result.Contains("_id"))
            {
                continue;
            }

            if (child.Leaf is ComputedLeaf computed)
            {
                var value = computed.Evaluate(context);
                if (value is not null)
                {
                    result.Set(name, value);
                }
            }
            else if (child.Leaf is null && !result.Contains(name) && child.HasComputed)
            {
                // Computed fields below a missing field create the documents leading to them.
                var nested = new BsonDocument();
                child.AddComputed(nested, context, isRoot: false);
                result.Add(name, nested);
            }
        }
    }

    private bool HasComputed => Leaf is ComputedLeaf || _children.Values.Any(c => c.HasComputed);

    private void AddIncluded(BsonDocument result, string name, BsonDocument source, ProjectionTree child, ProjectionContext context)
    {
        if (!source.TryGetValue(name, out var value))
        {
            if (child.Leaf is ComputedLeaf computed && computed.Evaluate(context) is { } computedValue)
            {
                result.Add(name, computedValue);
            }

            return;
        }

        if (child.Leaf is not null)
        {
            if (child.Leaf.Project(value, context) is { } projected)
            {
                result.Add(name, projected);
            }

            return;
        }

        if (child.IncludeNested(value, context) is { } nested)
        {
            result.Add(name, nested);
        }
    }

    /// <summary>Sub-paths of an inclusion: documents are projected, arrays element by element (scalars in them dropped).</summary>
    private BsonValue? IncludeNested(BsonValue value, ProjectionContext context)
    {
        switch (value)
        {
            case BsonDocument document:
                return ApplyInclusion(document, context, isRoot: false);
            case BsonArray array:
                var result = new BsonArray();
                foreach (var element in array)
                {
                    if (element is BsonDocument or BsonArray)
                    {
                        result.Add(IncludeNested(element, context)!);
                    }
                    else if (HasComputed)
                    {
                        // A computed sub-field turns a scalar element into a document holding it.
                        var replaced = new BsonDocument();
                        AddComputed(replaced, context, isRoot: false);
                        result.Add(replaced);
                    }
                }

                return result;
            default:
                if (!HasComputed)
                {
                    return null;
                }

                var created = new BsonDocument();
                AddComputed(created, context, isRoot: false);
                return created;
        }
    }

    /// <summary>Exclusion: every field except the listed ones; sub-paths reach into documents and arrays of documents.</summary>
    public BsonDocument ApplyExclusion(BsonDocument document, ProjectionContext context)
    {
        var result = new BsonDocument();
        foreach (var element in document)
        {
            if (!_children.TryGetValue(element.Name, out var child))
            {
                result.Add(element.Name, element.Value.DeepClone());
            }
            else if (child.Leaf is not null)
            {
                if (child.Leaf.Project(element.Value, context) is { } projected)
                {
                    result.Add(element.Name, projected);
                }
            }
            else
            {
                result.Add(element.Name, child.ExcludeNested(element.Value, context));
            }
        }

        return result;
    }

    private BsonValue ExcludeNested(BsonValue value, ProjectionContext context) => value switch
    {
        BsonDocument document => ApplyExclusion(document, context),
        BsonArray array => new BsonArray(array.Select(element => ExcludeNested(element, context))),
        _ => value.DeepClone(),
    };
}
