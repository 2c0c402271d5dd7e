using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>mapReduce</c> as mongod 7.0 answers it with server-side JavaScript disabled (the emulator has no JavaScript
/// engine; buildInfo says <c>javascriptEngine: "none"</c>): the command is parsed and validated, its query selects the
/// input, and the map function, which mongod runs for each input document, fails with 31246. With no input document
/// nothing runs: inline output is empty, and <c>out: {replace}</c> leaves an empty collection, as mongod's do.
/// </summary>
internal sealed class MapReduceCommand : ICommandHandler
{
    private const int JavaScriptDisabled = 31246;

    public IReadOnlyList<string> Names { get; } = ["mapReduce", "mapreduce"];

    public CommandAccess Access => CommandAccess.Read;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        foreach (var required in new[] { "map", "reduce", "out" })
        {
            if (!context.Command.Contains(required))
            {
                throw new MongoErrorException(ErrorCodes.IDLFailedToParse,
                    $"BSON field 'mapReduce.{required}' is missing but a required field");
            }
        }

        var output = Output(context, context.Command["out"]);
        var filter = ReadSupport.CompileFilter(context.OptionalDocument("query"), context.Collation, null);
        var inputs = context.Read(reader => ReadSupport.MatchEach(reader, context.Database, name, filter, null,
            context.CancellationToken).Any());
        if (inputs)
        {
            throw new MongoErrorException(JavaScriptDisabled, "Cannot run server-side javascript without the javascript engine enabled");
        }

        context.OperationTime = context.ReadOperationTime;
        if (output is null)
        {
            return new BsonDocument("results", new BsonArray());
        }

        var reply = new BsonDocument("result", output.Database == context.Database
            ? new BsonString(output.Collection)
            : new BsonDocument { { "db", output.Database }, { "collection", output.Collection } });
        if (output.Stage == "$out")
        {
            var opTime = context.WriteNow(unit =>
            {
                AggregateOutput.Write(unit, output, []);
                return unit.LastOpTime;
            });
            await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        }

        return reply;
    }

    // out: "name" or { replace | merge | reduce: "name", db } as $out (replace) or $merge; { inline: 1 } is null.
    private static AggregateOutput.Target? Output(CommandContext context, BsonValue value)
    {
        if (value is BsonString s)
        {
            return AggregateOutput.Parse(context, new BsonDocument("$out", s));
        }

        if (value is not BsonDocument spec || spec.ElementCount == 0)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse, "'out' must be a string or an object");
        }

        var mode = spec.GetElement(0);
        if (mode.Name == "inline")
        {
            return null;
        }

        if (mode.Name is not ("replace" or "merge" or "reduce") || !mode.Value.IsString)
        {
            throw new MongoErrorException(
                ErrorCodes.FailedToParse,
                $"'out' has to be a string or an object with replace, merge, reduce or inline, not '{mode.Name}'");
        }

        var target = new BsonDocument { { "db", spec.GetValue("db", context.Database) }, { "coll", mode.Value } };
        return mode.Name == "replace"
            ? AggregateOutput.Parse(context, new BsonDocument("$out", target))
            : AggregateOutput.Parse(context, new BsonDocument("$merge", new BsonDocument("into", target)));
    }
}
