using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Expressions;

namespace Tabernacle.MongoEmulator.Query.Aggregation.Stages;

/// <summary>$project (inclusion or exclusion), $addFields/$set and $unset; all streaming.</summary>
internal sealed class ProjectStage : IPipelineStage
{
    private enum Mode
    {
        Inclusion,
        Exclusion,
        AddFields,
    }

    private readonly ProjectionNode _root;
    private readonly Mode _mode;

    private ProjectStage(ProjectionNode root, Mode mode)
    {
        _root = root;
        _mode = mode;
    }

    public static IPipelineStage CompileProject(BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(15969, "$project specification must be an object");
        }

        if (spec.ElementCount == 0)
        {
            throw new MongoErrorException(51272, "Invalid $project :: caused by :: projection specification must have at least one field");
        }

        return Build(spec, context);
    }

    /// <summary>Parses a $project specification into a projection (shared with $facet-free callers such as $lookup).</summary>
    private static ProjectStage Build(BsonDocument spec, StageCompileContext context)
    {
        var root = new ProjectionNode();
        Mode? mode = null;
        var idExcluded = false;
        var idMentioned = false;
        Parse(spec, [], root, context, ref mode, ref idExcluded, ref idMentioned, allowNested: true);

        // Only "_id: 0" (or "_id: 1") given: {_id: 0} is an exclusion, {_id: 1} an inclusion.
        var effective = mode ?? (idExcluded ? Mode.Exclusion : Mode.Inclusion);
        if (effective == Mode.Inclusion && !idMentioned)
        {
            // _id is included by default; listing it first keeps it where the document has it.
            root.Add(["_id"], 0, ProjectionEntry.Include, "_id");
        }

        return new ProjectStage(root, effective);
    }

    private static void Parse(BsonDocument spec, string[] prefix, ProjectionNode root, StageCompileContext context, ref Mode? mode,
        ref bool idExcluded, ref bool idMentioned, bool allowNested)
    {
        foreach (var element in spec)
        {
            ValidateFieldName(element.Name, "$project");
            string[] path = [.. prefix, .. element.Name.Split('.')];
            var fullPath = string.Join('.', path);
            var isId = fullPath == "_id";
            idMentioned |= isId;
            var value = element.Value;
            ProjectionEntry entry;
            switch (value.BsonType)
            {
                case BsonType.Boolean:
                case BsonType.Int32:
                case BsonType.Int64:
                case BsonType.Double:
                case BsonType.Decimal128:
                    var include = AggregationExpression.IsTruthy(value);
                    if (isId)
                    {
                        idExcluded = !include;
                        root.Add(path, 0, include ? ProjectionEntry.Include : ProjectionEntry.Exclude, fullPath);
                        continue;
                    }

                    SetMode(ref mode, include ? Mode.Inclusion : Mode.Exclusion, fullPath);
                    entry = include ? ProjectionEntry.Include : ProjectionEntry.Exclude;
                    break;
                case BsonType.Document when value.AsBsonDocument.ElementCount > 0
                    && value.AsBsonDocument.GetElement(0).Name.StartsWith('$'):
                    SetMode(ref mode, Mode.Inclusion, fullPath, computed: true);
                    entry = ProjectionEntry.ForComputed(context.CompileExpression(value));
                    break;
                case BsonType.Document:
                    if (value.AsBsonDocument.ElementCount == 0)
                    {
                        throw new MongoErrorException(51270,
                            $"Invalid $project :: caused by :: An empty sub-projection is not a valid value. Found empty object at path " +
                                $"{fullPath}");
                    }

                    Parse(value.AsBsonDocument, path, root, context, ref mode, ref idExcluded, ref idMentioned, allowNested);
                    continue;
                default:
                    // Strings ("$path"), arrays and other literals are computed fields.
                    SetMode(ref mode, Mode.Inclusion, fullPath, computed: true);
                    entry = ProjectionEntry.ForComputed(context.CompileExpression(value));
                    break;
            }

            root.Add(path, 0, entry, fullPath);
        }
    }

    private static void SetMode(ref Mode? mode, Mode wanted, string path, bool computed = false)
    {
        if (mode is null)
        {
            mode = wanted;
            return;
        }

        if (mode == wanted)
        {
            return;
        }

        if (mode == Mode.Inclusion)
        {
            throw new MongoErrorException(31254,
                $"Invalid $project :: caused by :: Cannot do exclusion on field {path} in inclusion projection");
        }

        throw computed
            ? new MongoErrorException(31252,
                $"Invalid $project :: caused by :: Cannot use expression other than $meta in exclusion projection")
            : new MongoErrorException(31253,
                $"Invalid $project :: caused by :: Cannot do inclusion on field {path} in exclusion projection");
    }

    private static void ValidateFieldName(string name, string stage)
    {
        if (name.Length == 0)
        {
            throw new MongoErrorException(40352, $"Invalid {stage} :: caused by :: FieldPath cannot be constructed with empty string");
        }

        if (name.StartsWith('$'))
        {
            throw new MongoErrorException(16410,
                $"Invalid {stage} :: caused by :: FieldPath field names may not start with '$'. Consider using $getField or $setField.");
        }

        if (name.EndsWith('.') || name.StartsWith('.') || name.Contains("..", StringComparison.Ordinal))
        {
            throw new MongoErrorException(15998, $"Invalid {stage} :: caused by :: FieldPath field names may not be empty strings.");
        }
    }

    public static IPipelineStage CompileAddFields(string stageName, BsonValue specification, StageCompileContext context)
    {
        if (specification is not BsonDocument spec)
        {
            throw new MongoErrorException(40272, $"{stageName} specification stage must be an object, got {TypeNames.Of(specification)}");
        }

        var root = new ProjectionNode();
        AddComputed(spec, [], root, context, stageName);
        return new ProjectStage(root, Mode.AddFields);
    }

    private static void AddComputed(BsonDocument spec, string[] prefix, ProjectionNode root, StageCompileContext context, string stageName)
    {
        foreach (var element in spec)
        {
            ValidateFieldName(element.Name, stageName);
            string[] path = [.. prefix, .. element.Name.Split('.')];
            var value = element.Value;
            if (value is BsonDocument nested && (nested.ElementCount == 0 || !nested.GetElement(0).Name.StartsWith('$')))
            {
                if (nested.ElementCount == 0)
                {
                    // {a: {}} sets a to an empty document in $addFields.
                    root.Add(path, 0, ProjectionEntry.ForComputed(new LiteralExpression(new BsonDocument())), string.Join('.', path));
                    continue;
                }

                AddComputed(nested, path, root, context, stageName);
                continue;
            }

            root.Add(path, 0, ProjectionEntry.ForComputed(context.CompileExpression(value)), string.Join('.', path));
        }
    }

    public static IPipelineStage CompileUnset(BsonValue specification, StageCompileContext context)
    {
        var fields = specification switch
        {
            BsonString s => [s.Value],
            BsonArray { Count: 0 } =>
                throw new MongoErrorException(31119, "$unset specification must be a string or an array with at least one field"),
            BsonArray a =>
                a.Select(v =>
                    v is BsonString s ? s.Value
                        : throw new MongoErrorException(31120,
                            "$unset specification must be a string or an array containing only string values")).ToArray(),
            _ => throw new MongoErrorException(31002, "$unset specification must be a string or an array"),
        };
        var root = new ProjectionNode();
        foreach (var field in fields)
        {
            ValidateFieldName(field, "$unset");
            root.Add(field.Split('.'), 0, ProjectionEntry.Exclude, field);
        }

        return new ProjectStage(root, Mode.Exclusion);
    }

    public IEnumerable<BsonDocument> Execute(IEnumerable<BsonDocument> input, PipelineRun run)
    {
        foreach (var document in input)
        {
            yield return _mode switch
            {
                Mode.Inclusion => _root.ApplyInclusion(document, document, run.Scope),
                Mode.Exclusion => _root.ApplyExclusion(document),
                _ => _root.ApplyAddFields(document, document, run.Scope),
            };
        }
    }
}
