using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query;
using Tabernacle.MongoEmulator.Query.Expressions;
using Tabernacle.MongoEmulator.Query.Update;
using Tabernacle.MongoEmulator.Replication;
using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// The write stages that end a pipeline, with mongod 7.0's semantics and codes. <c>$out</c> replaces the target
/// collection with the results, keeping its options and indexes, or leaves it untouched when the results cannot be
/// stored (a duplicate key is 11000). <c>$merge</c> matches each result on <c>on</c> (<c>_id</c>, or fields that a
/// unique index covers) and applies whenMatched (merge, replace, keepExisting, fail, or an update pipeline with
/// <c>$$new</c>) and whenNotMatched (insert, discard, fail).
/// </summary>
internal static class AggregateOutput
{
    public static bool IsOutputStage(BsonDocument stage) => stage.ElementCount == 1 && stage.GetElement(0).Name is "$out" or "$merge";

    /// <summary>A parsed <c>$out</c> or <c>$merge</c>; parsed before the pipeline runs, so a bad spec fails first.</summary>
    internal sealed record Target(string Stage, string Database, string Collection, BsonDocument Spec);

    public static Target Parse(CommandContext context, BsonDocument stage)
    {
        var name = stage.GetElement(0).Name;
        var value = stage[0];
        if (name == "$out")
        {
            return value switch
            {
                BsonString s => new Target(name, context.Database, Collection(s.Value, name), []),
                BsonDocument d when d.GetValue("coll", BsonNull.Value) is BsonString coll => new Target(
                    name, d.GetValue("db", context.Database).AsString, Collection(coll.Value, name), d),
                _ => throw new MongoErrorException(
                    16990, $"$out only supports a string or object argument, but found {CommandContext.BsonTypeName(value)}"),
            };
        }

        var spec = value switch
        {
            BsonString s => new BsonDocument("into", s),
            BsonDocument d => d,
            _ => throw new MongoErrorException(
                ErrorCodes.TypeMismatch, $"$merge requires a string or object argument, but found {CommandContext.BsonTypeName(value)}"),
        };
        foreach (var field in spec.Names)
        {
            if (field is not ("into" or "on" or "let" or "whenMatched" or "whenNotMatched"))
            {
                throw new MongoErrorException(ErrorCodes.IDLUnknownField, $"BSON field '$merge.{field}' is an unknown field.");
            }
        }

        return spec.GetValue("into", BsonNull.Value) switch
        {
            BsonString s => new Target(name, context.Database, Collection(s.Value, name), spec),
            BsonDocument d when d.GetValue("coll", BsonNull.Value) is BsonString coll => new Target(
                name, d.GetValue("db", context.Database).AsString, Collection(coll.Value, name), spec),
            _ => throw new MongoErrorException(
                51178, "$merge 'into' field must be either a string or an object, but found "
                    + CommandContext.BsonTypeName(spec.GetValue("into", BsonNull.Value))),
        };
    }

    private static string Collection(string name, string stage)
    {
        if (name.Length == 0 || name.StartsWith('$') || name.Contains('\0'))
        {
            throw new MongoErrorException(ErrorCodes.InvalidNamespace, $"Invalid {stage} target namespace: '{name}'");
        }

        // mongod refuses writing the results into system collections ("special" namespaces).
        return name.StartsWith("system.", StringComparison.Ordinal)
            ? throw new MongoErrorException(51180, $"Cannot {stage} into special collection: '{name}'")
            : name;
    }

    /// <summary>Writes <paramref name="results"/> to the target; callers hold the storage lock through <paramref name="unit"/>.</summary>
    public static void Write(WriteUnit unit, Target target, IReadOnlyList<BsonDocument> results)
    {
        if (unit.Collection(target.Database, target.Collection) is { } existing && existing.Options.Contains("viewOn"))
        {
            throw new MongoErrorException(
                ErrorCodes.CommandNotSupportedOnView,
                $"Cannot write the results of {target.Stage} to a view: {target.Database}.{target.Collection}");
        }

        if (target.Stage == "$out")
        {
            Out(unit, target, results);
        }
        else
        {
            Merge(unit, target, results);
        }
    }

    private static void Out(WriteUnit unit, Target target, IReadOnlyList<BsonDocument> results)
    {
        var existing = unit.Collection(target.Database, target.Collection);
        if (existing is not null && existing.Options.GetValue("capped", false).ToBoolean())
        {
            throw new MongoErrorException(
                17152, $"namespace '{target.Database}.{target.Collection}' is capped so it can't be used for $out");
        }

        // mongod fills a temporary collection with the target's indexes and renames it over the target: a result that
        // breaks a unique index fails the stage and leaves the target as it was. The emulator checks the results the
        // same way in a scratch collection first, then replaces the target under one storage lock.
        var options = existing is null ? null : new BsonDocument(existing.Options.Where(e => e.Name != "uuid"));
        var documents = results.Select(WriteSupport.PrepareForInsert).ToList();
        var scratch = new CollectionStore(new VersionHistory(), target.Database, $"tmp.agg_out.{Guid.NewGuid()}", options);
        var indexes = existing?.Indexes.Where(i => !i.IsIdIndex).Select(i => i.Spec).ToList() ?? [];
        foreach (var spec in indexes)
        {
            scratch.CreateIndex(spec);
        }

        foreach (var document in documents)
        {
            scratch.Insert(document);
        }

        if (existing is not null)
        {
            unit.Command(target.Database, CatalogOperations.Drop(target.Collection));
        }

        unit.Command(target.Database, CatalogOperations.Create(target.Collection, options));
        foreach (var spec in indexes)
        {
            unit.Command(target.Database, CatalogOperations.CreateIndex(target.Collection, spec));
        }

        foreach (var document in documents)
        {
            unit.Insert(target.Database, target.Collection, document, null);
        }
    }

    private static void Merge(WriteUnit unit, Target target, IReadOnlyList<BsonDocument> results)
    {
        var spec = target.Spec;
        var on = spec.GetValue("on", "_id") switch
        {
            BsonString s => [s.Value],
            BsonArray a when a.Count > 0 && a.All(v => v.IsString) => a.Select(v => v.AsString).ToArray(),
            var other => throw new MongoErrorException(
                51186, $"$merge 'on' field must be either a string or an array of strings, but found {CommandContext.BsonTypeName(other)}"),
        };
        var whenMatched = spec.GetValue("whenMatched", "merge");
        var whenNotMatched = spec.GetValue("whenNotMatched", "insert").AsString;
        if (whenNotMatched is not ("insert" or "discard" or "fail"))
        {
            throw new MongoErrorException(
                ErrorCodes.BadValue, $"Enumeration value '{whenNotMatched}' for field '$merge.whenNotMatched' is not a valid value.");
        }

        if (whenMatched is BsonString { Value: not ("merge" or "replace" or "keepExisting" or "fail") } unknown)
        {
            throw new MongoErrorException(
                ErrorCodes.BadValue, $"Enumeration value '{unknown.Value}' for field '$merge.whenMatched' is not a valid value.");
        }

        if (whenMatched is BsonString { Value: "fail" } && whenNotMatched != "insert")
        {
            throw new MongoErrorException(
                51181, $"Combination of $merge modes 'whenMatched: fail' and 'whenNotMatched: {whenNotMatched}' is not supported");
        }

        var byId = on is ["_id"];
        if (!byId && !HasUniqueIndexOn(unit.Collection(target.Database, target.Collection), on))
        {
            throw new MongoErrorException(51183, "Cannot find index to verify that $merge's 'on' fields will be unique");
        }

        var letSpec = spec.GetValue("let", BsonNull.Value) as BsonDocument;
        foreach (var raw in results)
        {
            var source = byId && !raw.Contains("_id") ? new BsonDocument("_id", ObjectId.GenerateNewId()).AddRange(raw) : raw;
            var key = new BsonDocument();
            foreach (var field in on)
            {
                var value = DocumentPath.IndexKeyValues(source, field, out var present).FirstOrDefault();
                if (!present || value is null || value.IsBsonNull || value.BsonType is BsonType.Undefined or BsonType.Array)
                {
                    throw new MongoErrorException(51132, "$merge write error: 'on' field cannot be missing, null, undefined or an array");
                }

                key[field] = value;
            }

            var filter = ReadSupport.CompileFilter(key, null, null);
            var matched = unit.Candidates(target.Database, target.Collection, filter, null).FirstOrDefault(filter.Matches);
            if (matched is null)
            {
                switch (whenNotMatched)
                {
                    case "insert":
                        unit.Insert(target.Database, target.Collection, WriteSupport.PrepareForInsert(source), null);
                        break;
                    case "fail":
                        throw new MongoErrorException(
                            13113,
                            "$merge could not find a matching document in the target collection for at least one document in the "
                            + "source collection");
                }

                continue;
            }

            var updated = whenMatched switch
            {
                BsonString { Value: "keepExisting" } => null,
                BsonString { Value: "fail" } => throw new MongoErrorException(
                    ErrorCodes.DuplicateKey,
                    $"E11000 duplicate key error collection: {target.Database}.{target.Collection} index: {IndexName(byId, on)} dup key"),
                BsonString { Value: "replace" } => WithId(matched, source, replace: true),
                BsonString => WithId(matched, source, replace: false),
                BsonArray pipeline => DocumentUpdate.Compile(pipeline, null, null, Variables(letSpec, source))
                    .Apply(matched, null, isUpsertInsert: false, unit.UtcNow),
                _ => throw new MongoErrorException(
                    51191, "$merge 'whenMatched' field must be either a string or an array, but found "
                        + CommandContext.BsonTypeName(whenMatched)),
            };
            if (updated is not null && !updated.Equals(matched))
            {
                WriteSupport.CheckSize(updated);
                unit.Replace(target.Database, target.Collection, updated, null);
            }
        }
    }

    // The matched document's _id stays; a result that would change it is refused as mongod refuses it.
    private static BsonDocument WithId(BsonDocument matched, BsonDocument source, bool replace)
    {
        if (source.TryGetValue("_id", out var id) && !BsonValueComparer.Default.Equals(id, matched["_id"]))
        {
            throw new MongoErrorException(
                ErrorCodes.ImmutableField,
                "$merge failed to update the matching document, did you attempt to modify the _id or the shard key?");
        }

        var result = replace ? new BsonDocument("_id", matched["_id"]) : new BsonDocument(matched);
        foreach (var element in source)
        {
            if (element.Name != "_id")
            {
                result[element.Name] = element.Value;
            }
        }

        return result;
    }

    // $$new is the result document; let's variables are evaluated against it (the default let is { new: "$$ROOT" }).
    private static BsonDocument Variables(BsonDocument? let, BsonDocument source)
    {
        if (let is null)
        {
            return new BsonDocument("new", source);
        }

        var variables = new BsonDocument();
        foreach (var element in let)
        {
            variables[element.Name] = ExpressionParser.Parse(element.Value, new ExpressionCompileContext()).Evaluate(source)
                ?? BsonNull.Value;
        }

        return variables;
    }

    private static string IndexName(bool byId, string[] on) => byId ? "_id_" : string.Join("_", on.Select(f => $"{f}_1"));

    private static bool HasUniqueIndexOn(CollectionStore? collection, string[] fields) =>
        collection is not null && collection.Indexes.Any(i => i.Unique && i.KeyPattern.Names.ToHashSet().SetEquals(fields));
}
