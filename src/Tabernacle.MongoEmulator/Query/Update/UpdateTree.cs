using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>A node of the update tree: either a path component with children or a modifier at the end of a path.</summary>
internal abstract class UpdateNode
{
    /// <summary>Whether applying under a missing field creates it (<c>$set</c> does, <c>$unset</c> does not).</summary>
    public abstract bool CreatesMissing { get; }

    /// <summary>Whether a scalar in the middle of the path is silently skipped rather than an error.</summary>
    public abstract bool AllowsNonViablePath { get; }
}

/// <summary>
/// A path component with the update's sub-paths under it. Children are applied in MongoDB 5.0+'s order: numeric
/// field names numerically, other names lexicographically, whatever order the update spelled them in.
/// </summary>
internal sealed class UpdateObjectNode : UpdateNode
{
    private readonly SortedDictionary<string, UpdateNode> _children = new(FieldNameOrder.Instance);

    public override bool CreatesMissing => _children.Values.Any(c => c.CreatesMissing);

    public override bool AllowsNonViablePath => _children.Values.All(c => c.AllowsNonViablePath);

    /// <summary>Adds a modifier at <paramref name="components"/>; a path that is a prefix of (or equal to) another conflicts.</summary>
    public void Add(string[] components, string dottedPath, ModifierNode modifier)
    {
        var node = this;
        for (var i = 0; i < components.Length - 1; i++)
        {
            if (node._children.TryGetValue(components[i], out var existing))
            {
                node = existing as UpdateObjectNode ?? throw Conflict(dottedPath, components, i);
            }
            else
            {
                var created = new UpdateObjectNode();
                node._children.Add(components[i], created);
                node = created;
            }
        }

        if (!node._children.TryAdd(components[^1], modifier))
        {
            throw Conflict(dottedPath, components, components.Length - 1);
        }
    }

    private static MongoErrorException Conflict(string path, string[] components, int at) =>
        new(ErrorCodes.ConflictingUpdateOperators,
            $"Updating the path '{path}' would create a conflict at '{string.Join('.', components, 0, at + 1)}'");

    /// <summary>Applies the children to a document or an array.</summary>
    public void ApplyTo(BsonValue container, string path, bool throughArray, UpdateContext context)
    {
        foreach (var (component, child) in _children)
        {
            if (component == "$")
            {
                var array = RequireArray(container, path, context);
                ApplyToSlot(child, new Slot(array, context.PositionalIndex()), path, throughArray: true, context);
            }
            else if (component == "$[]")
            {
                var array = RequireArray(container, path, context);
                for (var i = 0; i < array.Count; i++)
                {
                    ApplyToSlot(child, new Slot(array, i), path, throughArray: true, context);
                }
            }
            else if (component.StartsWith("$[", StringComparison.Ordinal))
            {
                var identifier = component[2..^1];
                var array = RequireArray(container, path, context);
                for (var i = 0; i < array.Count; i++)
                {
                    if (context.ArrayFilters.Matches(identifier, array[i]))
                    {
                        ApplyToSlot(child, new Slot(array, i), path, throughArray: true, context);
                    }
                }
            }
            else if (container is BsonDocument document)
            {
                ApplyToSlot(child, new Slot(document, component), path, throughArray, context);
            }
            else
            {
                var array = (BsonArray)container;
                var index = FieldPath.ArrayIndexOf(component);
                if (index < 0)
                {
                    if (child.AllowsNonViablePath)
                    {
                        continue;
                    }

                    throw new MongoErrorException(ErrorCodes.PathNotViable,
                        $"Cannot create field '{component}' in element {{{LastComponent(path)}: {ShellFormat.Format(array)}}}");
                }

                ApplyToSlot(child, new Slot(array, index), path, throughArray: true, context);
            }
        }
    }

    private static BsonArray RequireArray(BsonValue container, string path, UpdateContext context) =>
        container as BsonArray
            ?? throw new MongoErrorException(ErrorCodes.BadValue,
                $"Cannot apply array updates to non-array element {LastComponent(path)}: {ShellFormat.Format(container)}");

    private static void ApplyToSlot(UpdateNode child, Slot slot, string parentPath, bool throughArray, UpdateContext context)
    {
        var name = slot.Name;
        var path = parentPath.Length == 0 ? name : string.Concat(parentPath, ".", name);
        var current = slot.Get();
        if (child is ModifierNode modifier)
        {
            var outcome = modifier.Apply(current, new ModifierSite(name, path, throughArray), context);
            if (outcome.Kind == 1)
            {
                slot.Set(outcome.Value!);
            }
            else if (outcome.Kind == 2)
            {
                slot.Remove();
            }

            return;
        }

        var node = (UpdateObjectNode)child;
        switch (current)
        {
            case BsonDocument or BsonArray:
                node.ApplyTo(current, path, throughArray || current is BsonArray, context);
                break;
            case null:
                if (!node.CreatesMissing)
                {
                    return;
                }

                if (node.StartsWithArrayUpdate)
                {
                    throw new MongoErrorException(ErrorCodes.BadValue,
                        $"The path '{path}' must exist in the document in order to apply array updates.");
                }

                var created = new BsonDocument();
                node.ApplyTo(created, path, throughArray, context);
                if (created.ElementCount > 0)
                {
                    slot.Set(created);
                }

                break;
            default:
                if (node.AllowsNonViablePath)
                {
                    return;
                }

                if (node.StartsWithArrayUpdate)
                {
                    throw new MongoErrorException(ErrorCodes.BadValue,
                        $"Cannot apply array updates to non-array element {name}: {ShellFormat.Format(current)}");
                }

                throw new MongoErrorException(ErrorCodes.PathNotViable,
                    $"Cannot create field '{node.FirstComponent}' in element {{{name}: {ShellFormat.Format(current)}}}");
        }
    }

    private bool StartsWithArrayUpdate => _children.Keys.Any(k => k.StartsWith('$'));

    private string FirstComponent => _children.Keys.First();

    private static string LastComponent(string path)
    {
        var dot = path.LastIndexOf('.');
        return dot < 0 ? path : path[(dot + 1)..];
    }

    /// <summary>A field of a document or a position of an array, read and written the same way.</summary>
    private readonly struct Slot
    {
        private readonly BsonDocument? _document;
        private readonly BsonArray? _array;
        private readonly int _index;

        public Slot(BsonDocument document, string name)
        {
            _document = document;
            _array = null;
            _index = -1;
            Name = name;
        }

        public Slot(BsonArray array, int index)
        {
            _document = null;
            _array = array;
            _index = index;
            Name = index.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        public string Name { get; }

        public BsonValue? Get() => _document is not null
            ? (_document.TryGetValue(Name, out var value) ? value : null)
            : (_index < _array!.Count ? _array[_index] : null);

        public void Set(BsonValue value)
        {
            if (_document is not null)
            {
                // BsonDocument.Set keeps an existing field's position and appends a new one, as MongoDB does.
                _document.Set(Name, value);
                return;
            }

            // Setting past the end pads the array with nulls.
            while (_array!.Count < _index)
            {
                _array.Add(BsonNull.Value);
            }

            if (_index == _array.Count)
            {
                _array.Add(value);
            }
            else
            {
                _array[_index] = value;
            }
        }

        public void Remove()
        {
            if (_document is not null)
            {
                _document.Remove(Name);
            }
            else if (_index < _array!.Count)
            {
                // $unset on an array element leaves a null in its place so positions do not shift.
                _array[_index] = BsonNull.Value;
            }
        }
    }
}

/// <summary>MongoDB's order of update paths: numeric names numerically, then everything else by code point.</summary>
internal sealed class FieldNameOrder : IComparer<string>
{
    public static FieldNameOrder Instance { get; } = new();

    public int Compare(string? x, string? y)
    {
        var a = FieldPath.ArrayIndexOf(x!);
        var b = FieldPath.ArrayIndexOf(y!);
        if (a >= 0 && b >= 0)
        {
            return a.CompareTo(b);
        }

        return string.CompareOrdinal(x, y);
    }
}
