using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Query.Projection;

/// <summary>A compiled <c>find</c>/<c>findAndModify</c> projection (inclusion, exclusion, <c>$slice</c>, <c>$elemMatch</c>, positional
/// <c>$</c>, expressions).</summary>
internal sealed class QueryProjection
{
    private readonly ProjectionTree _tree = new();
    private readonly ExpressionScope _scope = new();
    private bool _isInclusion;
    private bool _isEmpty = true;

    private QueryProjection()
    {
    }

    /// <summary>Compiles a projection; invalid ones (mixing inclusion and exclusion, ...) throw <see cref="Errors.MongoErrorException"/>
    /// with MongoDB's code.</summary>
    public static QueryProjection Compile(BsonDocument projection, Collation? collation = null, BsonDocument? variables = null)
    {
        ArgumentNullException.ThrowIfNull(projection);
        var compiled = new QueryProjection();
        if (variables is not null)
        {
            foreach (var variable in variables)
            {
                compiled._scope.Set(variable.Name, variable.Value);
            }
        }

        new ProjectionParser(compiled._tree, collation).Parse(projection, out compiled._isInclusion);
        compiled._isEmpty = projection.ElementCount == 0;
        return compiled;
    }

    /// <summary>Returns the projected copy of <paramref name="document"/>; never mutates the input.</summary>
    public BsonDocument Apply(BsonDocument document, MatchDetails? match = null)
    {
        ArgumentNullException.ThrowIfNull(document);
        if (_isEmpty)
        {
            return document.DeepClone().AsBsonDocument;
        }

        var context = new ProjectionContext(document, match, _scope);
        return _isInclusion ? _tree.ApplyInclusion(document, context, isRoot: true) : _tree.ApplyExclusion(document, context);
    }
}

/// <summary>
/// Reads a projection document into a <see cref="ProjectionTree"/>, deciding inclusion or exclusion the way MongoDB 4.4+
/// does: the first field that is not <c>_id</c> or <c>$slice</c> fixes the kind, and a later field of the other kind is an error.
/// </summary>
internal sealed class ProjectionParser(ProjectionTree tree, Collation? collation)
{
    private bool? _inclusion;
    private bool _idSpecified;
    private bool _idIncluded;
    private bool _hasPositional;
    private bool _hasElemMatch;

    public void Parse(BsonDocument projection, out bool isInclusion)
    {
        ParseLevel(projection, prefix: null);

        // {_id: 1} alone is an inclusion of _id only; otherwise only _id: 0 and $slice make an exclusion that keeps
        // everything else.
        isInclusion = _inclusion ?? _idIncluded;
        if (isInclusion && !_idSpecified)
        {
            tree.Add(["_id"], IncludeLeaf.Instance, "_id");
        }
    }

    private void ParseLevel(BsonDocument level, string? prefix)
    {
        foreach (var element in level)
        {
            var path = prefix is null ? element.Name : $"{prefix}.{element.Name}";
            ParseField(path, element.Value, isTopLevelId: prefix is null && element.Name == "_id");
        }
    }

    private void ParseField(string path, BsonValue value, bool isTopLevelId)
    {
        if (isTopLevelId)
        {
            _idSpecified = true;
        }

        if (path.EndsWith(".$", StringComparison.Ordinal))
        {
            AddPositional(path, value);
            return;
        }

        if (path.Split('.').Any(p => p.StartsWith('$')))
        {
            throw new MongoErrorException(31394, $"FieldPath field names may not start with '$'. Consider using $getField or $setField.");
        }

        switch (value)
        {
            case BsonBoolean or BsonInt32 or BsonInt64 or BsonDouble or BsonDecimal128:
                var include = value.ToBoolean();
                if (!isTopLevelId)
                {
                    SetKind(include, path, isExpression: false);
                }
                else
                {
                    _idIncluded = include;
                }

                Add(path, include ? IncludeLeaf.Instance : ExcludeLeaf.Instance);
                return;
            case BsonDocument { ElementCount: 0 }:
                throw new MongoErrorException(51270, $"An empty sub-projection is not a valid value. Found empty object at path {path}");
            case BsonDocument document when document.GetElement(0).Name.StartsWith('$'):
                ParseOperator(path, document, isTopLevelId);
                return;
            case BsonDocument nested:
                ParseLevel(nested, path);
                return;
            default:
                // Any other value (a string, a date, an array) is a literal or expression computing the field.
                SetKind(true, path, isExpression: true);
                Add(path, new ComputedLeaf(value, collation));
                return;
        }
    }

    private void ParseOperator(string path, BsonDocument document, bool isTopLevelId)
    {
        var name = document.GetElement(0).Name;
        switch (name)
        {
            case "$slice" when document.ElementCount == 1:
                Add(path, SliceLeaf.Parse(document[0]));
                return;
            case "$elemMatch" when document.ElementCount == 1:
                if (path.Contains('.', StringComparison.Ordinal))
                {
                    throw new MongoErrorException(ErrorCodes.BadValue, "Cannot use $elemMatch projection on a nested field.");
                }

                if (_hasPositional)
                {
                    throw new MongoErrorException(31256, "Cannot specify positional operator and $elemMatch.");
                }

                _hasElemMatch = true;
                SetKind(true, path, isExpression: false);
                var matcher = FilterOperatorRegistry.FieldOperators["$elemMatch"](document[0], new FilterCompiler(collation, null));
                Add(path, new ElemMatchLeaf((IArrayPositionMatcher)matcher));
                return;
            case "$meta":
                throw new MongoErrorException(ErrorCodes.NotSupportedInEmulator,
                    $"$meta projections are not supported by the emulator: {path}");
            default:
                if (!isTopLevelId || _inclusion != false)
                {
                    SetKind(true, path, isExpression: true);
                }

                Add(path, new ComputedLeaf(document, collation));
                return;
        }
    }

    private void AddPositional(string path, BsonValue value)
    {
        var arrayPath = path[..^2];
        if (arrayPath.Split('.').Any(p => p.StartsWith('$')))
        {
            throw new MongoErrorException(31394,
                "As of 4.4, it's illegal to specify positional operator in the middle of a path. Positional projection may only be used " +
                    "at the end, for example: a.b.$. If the query previously used a form like a.b.$.d, remove the parts following the " +
                        "'$' and the results will be equivalent.");
        }

        if (value is BsonDocument or BsonArray or BsonString)
        {
            throw new MongoErrorException(31308, "positional projection cannot be used with a literal");
        }

        if (!value.ToBoolean())
        {
            throw new MongoErrorException(31395, "positional projection cannot be used with exclusion");
        }

        if (_hasPositional)
        {
            throw new MongoErrorException(31276, "Cannot specify more than one positional projection per query.");
        }

        if (_hasElemMatch)
        {
            throw new MongoErrorException(31256, "Cannot specify positional operator and $elemMatch.");
        }

        _hasPositional = true;
        SetKind(true, path, isExpression: false);
        Add(arrayPath, PositionalLeaf.Instance);
    }

    private void SetKind(bool inclusion, string path, bool isExpression)
    {
        if (_inclusion is null)
        {
            _inclusion = inclusion;
            return;
        }

        if (_inclusion == inclusion)
        {
            return;
        }

        if (isExpression)
        {
            throw new MongoErrorException(31252, "Cannot use expression other than $meta in exclusion projection");
        }

        throw inclusion
            ? new MongoErrorException(31253, $"Cannot do inclusion on field {path} in exclusion projection")
            : new MongoErrorException(31254, $"Cannot do exclusion on field {path} in inclusion projection");
    }

    private void Add(string path, ProjectionLeaf leaf) => tree.Add(path.Split('.'), leaf, path);
}
