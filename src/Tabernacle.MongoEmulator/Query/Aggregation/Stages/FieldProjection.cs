using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>
/// The parsed field tree of $project, $addFields/$set and $unset: each node maps field names (in specification
/// order) to an inclusion, an exclusion, a computed expression or a nested node (from <c>"a.b"</c> or <c>{a: {b: ...}}</c>).
/// </summary>
internal sealed class ProjectionNode
{
    private readonly List<(string Name, ProjectionEntry Entry)> _children = [];
    private readonly Dictionary<string, int> _index = new(StringComparer.Ordinal);

    public IReadOnlyList<(string Name, ProjectionEntry Entry)> Children => _children;

    public bool HasComputed { get; private set; }

    public bool TryGet(string name, out ProjectionEntry entry)
    {
        if (_index.TryGetValue(name, out var i))
        {
            entry = _children[i].Entry;
            return true;
        }

        entry = default;
        return false;
    }

    /// <summary>Adds a leaf at <paramref name="path"/>, creating nested nodes; a path that is both a leaf and a prefix is a collision
    /// (31250).</summary>
    public void Add(string[] path, int index, ProjectionEntry leaf, string fullPath)
    {
        var name = path[index];
        var exists = _index.TryGetValue(name, out var position);
        if (index == path.Length - 1)
        {
            if (exists)
            {
                throw new MongoErrorException(31250, $"Path collision at {fullPath}");
            }

            Append(name, leaf);
        }
        else
        {
            ProjectionNode child;
            if (exists)
            {
                child = _children[position].Entry.Nested
                    ?? throw new MongoErrorException(31250,
                        $"Path collision at {fullPath} remaining portion {string.Join('.', path[(index + 1)..])}");
            }
            else
            {
                child = new ProjectionNode();
                Append(name, ProjectionEntry.ForNested(child));
            }

            child.Add(path, index + 1, leaf, fullPath);
        }

        HasComputed |= leaf.Kind == ProjectionKind.Computed;
    }

    private void Append(string name, ProjectionEntry entry)
    {
        _index[name] = _children.Count;
        _children.Add((name, entry));
    }

    /// <summary>Inclusion: copies the included fields in the input's order, then appends computed fields in spec order.</summary>
    public BsonDocument ApplyInclusion(BsonDocument input, BsonDocument root, ExpressionScope scope)
    {
        var result = new BsonDocument();
        foreach (var element in input)
        {
            if (!TryGet(element.Name, out var entry))
            {
                continue;
            }

            switch (entry.Kind)
            {
                case ProjectionKind.Include:
                    result.Add(element.Name, element.Value);
                    break;
                case ProjectionKind.Nested when element.Value is BsonDocument document:
                    result.Add(element.Name, entry.Nested!.ApplyInclusion(document, root, scope));
                    break;
                case ProjectionKind.Nested when element.Value is BsonArray array:
                    result.Add(element.Name, entry.Nested!.ApplyInclusionToArray(array, root, scope));
                    break;
            }
        }

        if (!HasComputed)
        {
            return result;
        }

        foreach (var (name, entry) in _children)
        {
            if (entry.Kind == ProjectionKind.Computed)
            {
                var value = entry.Expression!.Evaluate(root, scope);
                if (value is not null)
                {
                    result.Set(name, value);
                }
            }
            else if (entry.Kind == ProjectionKind.Nested && entry.Nested!.HasComputed && !result.Contains(name))
            {
                // Computed fields under a path the input lacks (or holds a scalar at) create the sub-document.
                result.Set(name, entry.Nested.ApplyInclusion([], root, scope));
            }
        }

        return result;
    }

    private BsonArray ApplyInclusionToArray(BsonArray array, BsonDocument root, ExpressionScope scope)
    {
        var result = new BsonArray(array.Count);
        foreach (var item in array)
        {
            switch (item)
            {
                case BsonDocument document:
                    result.Add(ApplyInclusion(document, root, scope));
                    break;
                case BsonArray inner:
                    result.Add(ApplyInclusionToArray(inner, root, scope));
                    break;
                default:
                    // Scalars are dropped by an inclusion, but replaced when the path has computed fields.
                    if (HasComputed)
                    {
                        result.Add(ApplyInclusion([], root, scope));
                    }

                    break;
            }
        }

        return result;
    }

    /// <summary>Exclusion: copies everything but the excluded paths, looking through arrays of documents.</summary>
    public BsonDocument ApplyExclusion(BsonDocument input)
    {
        var result = new BsonDocument();
        foreach (var element in input)
        {
            if (!TryGet(element.Name, out var entry))
            {
                result.Add(element);
                continue;
            }

            switch (entry.Kind)
            {
                case ProjectionKind.Exclude:
                    break;
                case ProjectionKind.Nested when element.Value is BsonDocument document:
                    result.Add(element.Name, entry.Nested!.ApplyExclusion(document));
                    break;
                case ProjectionKind.Nested when element.Value is BsonArray array:
                    result.Add(element.Name, entry.Nested!.ApplyExclusionToArray(array));
                    break;
                default:
                    result.Add(element);
                    break;
            }
        }

        return result;
    }

    private BsonArray ApplyExclusionToArray(BsonArray array)
    {
        var result = new BsonArray(array.Count);
        foreach (var item in array)
        {
            result.Add(item switch
            {
                BsonDocument document => ApplyExclusion(document),
                BsonArray inner => ApplyExclusionToArray(inner),
                _ => item,
            });
        }

        return result;
    }

    /// <summary>$addFields: existing fields keep their position, new ones are appended, a missing value ($$REMOVE) removes.</summary>
    public BsonDocument ApplyAddFields(BsonDocument input, BsonDocument root, ExpressionScope scope)
    {
        var result = new BsonDocument(input);
        foreach (var (name, entry) in _children)
        {
            if (entry.Kind == ProjectionKind.Computed)
            {
                var value = entry.Expression!.Evaluate(root, scope);
                if (value is null)
                {
                    result.Remove(name);
                }
                else
                {
                    result.Set(name, value);
                }

                continue;
            }

            var existing = result.GetValue(name, null);
            result.Set(name, existing switch
            {
                BsonDocument document => entry.Nested!.ApplyAddFields(document, root, scope),
                BsonArray array => entry.Nested!.ApplyAddFieldsToArray(array, root, scope),
                _ => entry.Nested!.ApplyAddFields([], root, scope),
            });
        }

        return result;
    }

    private BsonArray ApplyAddFieldsToArray(BsonArray array, BsonDocument root, ExpressionScope scope)
    {
        var result = new BsonArray(array.Count);
        foreach (var item in array)
        {
            result.Add(item switch
            {
                BsonDocument document => ApplyAddFields(document, root, scope),
                BsonArray inner => ApplyAddFieldsToArray(inner, root, scope),
                _ => ApplyAddFields([], root, scope),
            });
        }

        return result;
    }
}

internal enum ProjectionKind
{
    Include,
    Exclude,
    Computed,
    Nested,
}

internal readonly record struct ProjectionEntry(ProjectionKind Kind, AggregationExpression? Expression, ProjectionNode? Nested)
{
    public static ProjectionEntry Include { get; } = new(ProjectionKind.Include, null, null);

    public static ProjectionEntry Exclude { get; } = new(ProjectionKind.Exclude, null, null);

    public static ProjectionEntry ForComputed(AggregationExpression expression) => new(ProjectionKind.Computed, expression, null);

    public static ProjectionEntry ForNested(ProjectionNode node) => new(ProjectionKind.Nested, null, node);
}
