using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>Parses one operator's <c>{field: argument}</c> pair into the modifiers it adds to the update tree.</summary>
internal delegate void UpdateOperatorParser(string path, BsonValue argument, OperatorUpdateCompiler compiler);

/// <summary>
/// Compiles an update-operator document (<c>{$set: {...}, $inc: {...}}</c>) into one tree of paths, which detects
/// conflicting paths and fixes the order fields are applied in. Operators are registered by name, the way mingo's
/// <c>operators/update</c> is.
/// </summary>
internal sealed class OperatorUpdateCompiler
{
    private static readonly Dictionary<string, UpdateOperatorParser> Operators = new(StringComparer.Ordinal)
    {
        ["$set"] = (path, arg, c) => c.Add(path, new SetModifier(arg, onInsertOnly: false)),
        ["$setOnInsert"] = (path, arg, c) => c.Add(path, new SetModifier(arg, onInsertOnly: true)),
        ["$unset"] = (path, _, c) => c.Add(path, UnsetModifier.Instance),
        ["$inc"] = (path, arg, c) =>
            c.Add(path, new ArithmeticModifier("$inc", RequireNumber(arg, path, "Cannot increment with non-numeric argument"))),
        ["$mul"] = (path, arg, c) =>
            c.Add(path, new ArithmeticModifier("$mul", RequireNumber(arg, path, "Cannot multiply with non-numeric argument"))),
        ["$min"] = (path, arg, c) => c.Add(path, new MinMaxModifier(arg, isMin: true)),
        ["$max"] = (path, arg, c) => c.Add(path, new MinMaxModifier(arg, isMin: false)),
        ["$currentDate"] = (path, arg, c) => c.Add(path, ParseCurrentDate(path, arg)),
        ["$rename"] = (path, arg, c) => c.AddRename(path, arg),
        ["$push"] = (path, arg, c) => c.Add(path, ParsePush(arg)),
        ["$addToSet"] = (path, arg, c) => c.Add(path, new AddToSetModifier(ParseAddToSet(arg))),
        ["$pop"] = (path, arg, c) => c.Add(path, ParsePop(arg)),
        ["$pull"] = (path, arg, c) => c.Add(path, c.ParsePull(arg)),
        ["$pullAll"] = (path, arg, c) => c.Add(path, c.ParsePullAll(arg)),
    };

    private readonly Collation? _collation;
    private readonly BsonDocument? _variables;
    private readonly BsonValueComparer _comparer;
    private readonly ArrayFilterSet _arrayFilters;
    private readonly List<FieldPath> _renameSources = [];

    private OperatorUpdateCompiler(Collation? collation, BsonDocument? variables, ArrayFilterSet arrayFilters)
    {
        _collation = collation;
        _variables = variables;
        _comparer = BsonValueComparer.For(collation);
        _arrayFilters = arrayFilters;
    }

    public UpdateObjectNode Root { get; } = new();

    /// <summary>The source paths of the <c>$rename</c>s, by rename index.</summary>
    public IReadOnlyList<FieldPath> RenameSources => _renameSources;

    public static bool IsOperator(string name) => Operators.ContainsKey(name);

    public static OperatorUpdateCompiler Compile(BsonDocument update, ArrayFilterSet arrayFilters, Collation? collation,
        BsonDocument? variables)
    {
        var compiler = new OperatorUpdateCompiler(collation, variables, arrayFilters);
        foreach (var element in update)
        {
            if (!Operators.TryGetValue(element.Name, out var parser))
            {
                throw new MongoErrorException(ErrorCodes.FailedToParse,
                    $"Unknown modifier: {element.Name}. Expected a valid update modifier or pipeline-style update specified as an array");
            }

            if (element.Value is not BsonDocument fields)
            {
                throw new MongoErrorException(
                    ErrorCodes.FailedToParse,
                    $"Modifiers operate on fields but we found type {BsonTypeNames.NameOf(element.Value)} instead. For example: " +
                        $"{{$mod: {{<field>: ...}}}} not {{{element.Name}: {ShellFormat.Format(element.Value)}}}");
            }

            foreach (var field in fields)
            {
                parser(field.Name, field.Value, compiler);
            }
        }

        arrayFilters.EnsureAllUsed(update);
        return compiler;
    }

    private void Add(string path, ModifierNode modifier) => Root.Add(ValidatePath(path, allowPositional: true), path, modifier);

    /// <summary>Splits and checks an update path: no empty components, <c>$</c> only as a positional operator.</summary>
    private string[] ValidatePath(string path, bool allowPositional)
    {
        if (path.Length == 0)
        {
            throw new MongoErrorException(ErrorCodes.EmptyFieldName, "An empty update path is not valid.");
        }

        var components = path.Split('.');
        var positionalCount = 0;
        for (var i = 0; i < components.Length; i++)
        {
            var component = components[i];
            if (component.Length == 0)
            {
                throw new MongoErrorException(ErrorCodes.EmptyFieldName,
                    $"The update path '{path}' contains an empty field name, which is not allowed.");
            }

            if (!component.StartsWith('$'))
            {
                continue;
            }

            var isPositional = component == "$";
            var isArrayUpdate = component == "$[]" || (component.StartsWith("$[", StringComparison.Ordinal) && component.EndsWith(']'));
            if (!isPositional && !isArrayUpdate)
            {
                throw new MongoErrorException(ErrorCodes.DollarPrefixedFieldName,
                    $"The dollar ($) prefixed field '{component}' in '{path}' is not allowed in the context of an update's replacement " +
                        $"document. Consider using an aggregation pipeline with $replaceWith.");
            }

            if (!allowPositional)
            {
                throw new MongoErrorException(ErrorCodes.BadValue, $"The source field for $rename may not be dynamic: {path}");
            }

            if (i == 0)
            {
                throw new MongoErrorException(
                    ErrorCodes.BadValue,
                    isPositional
                        ? $"Cannot have positional (i.e. '$') element in the first component in path '{path}'"
                        : $"Cannot have array filter identifier (i.e. '$[<id>]') element in the first component in path '{path}'");
            }

            if (isPositional && ++positionalCount > 1)
            {
                throw new MongoErrorException(ErrorCodes.BadValue, $"Too many positional (i.e. '$') elements found in path '{path}'");
            }

            if (isArrayUpdate && component != "$[]")
            {
                _arrayFilters.MarkUsed(component[2..^1], path);
            }
        }

        return components;
    }

    private void AddRename(string source, BsonValue arg)
    {
        if (!arg.IsString)
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                $"The 'to' field for $rename must be a string: {source}: {ShellFormat.Format(arg)}");
        }

        var destination = arg.AsString;
        if (source.Split('.').Any(c => c.StartsWith('$')))
        {
            throw new MongoErrorException(ErrorCodes.BadValue, $"The source field for $rename may not be dynamic: {source}");
        }

        if (destination.Split('.').Any(c => c.StartsWith('$')))
        {
            throw new MongoErrorException(ErrorCodes.BadValue, $"The destination field for $rename may not be dynamic: {destination}");
        }

        if (source == destination)
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                $"The source and target field for $rename must differ: {source}: \"{destination}\"");
        }

        if (destination.StartsWith(source + ".", StringComparison.Ordinal)
            || source.StartsWith(destination + ".", StringComparison.Ordinal))
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                $"The source and target field for $rename must not be on the same path: {source}: \"{destination}\"");
        }

        var index = _renameSources.Count;
        _renameSources.Add(FieldPath.Parse(source));
        Root.Add(ValidatePath(source, allowPositional: false), source, new RenameSourceModifier(index));
        Root.Add(ValidatePath(destination, allowPositional: false), destination, new RenameDestinationModifier(index, source));
    }

    private static BsonValue RequireNumber(BsonValue arg, string path, string message) =>
        BsonTypeNames.IsNumber(arg) ? arg
            : throw new MongoErrorException(ErrorCodes.TypeMismatch, $"{message}: {ShellFormat.FormatField(path, arg)}");

    private static CurrentDateModifier ParseCurrentDate(string path, BsonValue arg)
    {
        if (arg.IsBoolean)
        {
            return new CurrentDateModifier(asTimestamp: false);
        }

        if (arg is BsonDocument spec)
        {
            if (spec.ElementCount == 1 && spec.GetElement(0).Name == "$type" && spec[0].IsString && spec[0].AsString is "date"
                or "timestamp")
            {
                return new CurrentDateModifier(spec[0].AsString == "timestamp");
            }

            throw new MongoErrorException(ErrorCodes.BadValue,
                "The '$type' string field is required to be 'date' or 'timestamp': {$currentDate: {field : {$type: 'date'}}}");
        }

        throw new MongoErrorException(
            ErrorCodes.BadValue,
            $"{path} is not valid type for $currentDate. Please use a boolean ('true') or a $type expression ({{$type: 'timestamp/date'}}).");
    }

    private static PushModifier ParsePush(BsonValue arg)
    {
        if (arg is not BsonDocument spec || !spec.Contains("$each"))
        {
            return new PushModifier([arg], null, null, null);
        }

        BsonArray? each = null;
        int? position = null;
        int? slice = null;
        PushSort? sort = null;
        foreach (var clause in spec)
        {
            switch (clause.Name)
            {
                case "$each":
                    each = clause.Value as BsonArray
                        ?? throw new MongoErrorException(ErrorCodes.BadValue,
                            $"The argument to $each in $push must be an array but it was of type: {BsonTypeNames.NameOf(clause.Value)}");
                    break;
                case "$position":
                    position = RequireInteger(clause.Value, "The value for $position must be an integer value, not of type: ");
                    break;
                case "$slice":
                    slice = RequireInteger(clause.Value, "The value for $slice must be an integral value but was given type: ");
                    break;
                case "$sort":
                    sort = ParsePushSort(clause.Value);
                    break;
                default:
                    throw new MongoErrorException(ErrorCodes.BadValue, $"Unrecognized clause in $push: {clause.Name}");
            }
        }

        return new PushModifier(each!, position, slice, sort);
    }

    private static int RequireInteger(BsonValue value, string message)
    {
        if (!BsonTypeNames.IsNumber(value))
        {
            throw new MongoErrorException(ErrorCodes.BadValue, message + BsonTypeNames.NameOf(value));
        }

        var d = BsonValueComparer.ToDouble(value);
        if (d != Math.Floor(d))
        {
            throw new MongoErrorException(ErrorCodes.BadValue, message + BsonTypeNames.NameOf(value));
        }

        return (int)Math.Clamp(d, int.MinValue, int.MaxValue);
    }

    private static PushSort ParsePushSort(BsonValue value)
    {
        if (BsonTypeNames.IsNumber(value))
        {
            return new PushSort(SortDirection(value), null);
        }

        if (value is not BsonDocument pattern)
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                "The $sort is invalid: use 1/-1 to sort the whole element, or {field:1/-1} to sort embedded fields");
        }

        if (pattern.ElementCount == 0)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "The $sort pattern is empty when it should be a set of fields.");
        }

        return new PushSort(1, pattern.Select(e => (FieldPath.Parse(e.Name), SortDirection(e.Value))).ToArray());
    }

    private static int SortDirection(BsonValue value)
    {
        if (BsonTypeNames.IsNumber(value))
        {
            var d = BsonValueComparer.ToDouble(value);
            if (d is 1 or -1)
            {
                return (int)d;
            }
        }

        throw new MongoErrorException(ErrorCodes.BadValue, "The $sort element value must be either 1 or -1");
    }

    private static BsonArray ParseAddToSet(BsonValue arg)
    {
        if (arg is BsonDocument spec && spec.ElementCount > 0 && spec.GetElement(0).Name == "$each")
        {
            if (spec.ElementCount > 1)
            {
                throw new MongoErrorException(ErrorCodes.BadValue,
                    $"Found unexpected fields after $each in $addToSet: {ShellFormat.Format(spec)}");
            }

            return spec[0] as BsonArray
                ?? throw new MongoErrorException(ErrorCodes.TypeMismatch,
                    $"The argument to $each in $addToSet must be an array but it was of type {BsonTypeNames.NameOf(spec[0])}");
        }

        return [arg];
    }

    private static PopModifier ParsePop(BsonValue arg)
    {
        if (BsonTypeNames.IsNumber(arg))
        {
            var d = BsonValueComparer.ToDouble(arg);
            if (d is 1 or -1)
            {
                return new PopModifier(fromFront: d < 0);
            }
        }

        throw new MongoErrorException(ErrorCodes.FailedToParse, $"$pop expects 1 or -1, found: {ShellFormat.Format(arg)}");
    }

    /// <summary>
    /// <c>$pull</c>'s argument is a condition on each element: operators (<c>{$gte: 6}</c>) test the element as a value,
    /// a plain document is a query on document elements, anything else is an equality.
    /// </summary>
    private PullModifier ParsePull(BsonValue arg)
    {
        if (arg is BsonDocument condition)
        {
            var compiler = new FilterCompiler(_collation, _variables);
            if (FilterOperatorRegistry.IsOperatorDocument(condition))
            {
                var wrapped = FilterCompiler.ToPathFilter(FieldPath.Parse(string.Empty), compiler.ParseOperatorDocument(condition));
                return new PullModifier("$pull", element => wrapped.Matches(new BsonDocument(string.Empty, element), null));
            }

            var query = compiler.ParseFilter(condition, null);
            return new PullModifier("$pull", element => element is BsonDocument document && query.Matches(document, null));
        }

        if (arg is BsonRegularExpression regex)
        {
            var matcher = RegexMatcher.From(regex);
            return new PullModifier("$pull", element => matcher.Matches(element));
        }

        var equality = new EqualityMatcher(arg, _comparer);
        return new PullModifier("$pull", equality.Matches);
    }

    private PullModifier ParsePullAll(BsonValue arg)
    {
        if (arg is not BsonArray values)
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                $"$pullAll requires an array argument but was given a {BsonTypeNames.NameOf(arg)}");
        }

        var matchers = values.Select(v => new EqualityMatcher(v, _comparer)).ToArray();
        return new PullModifier("$pullAll", element => Array.Exists(matchers, m => m.Matches(element)));
    }
}
