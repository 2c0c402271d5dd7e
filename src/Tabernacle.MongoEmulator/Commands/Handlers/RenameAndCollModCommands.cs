using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Replication;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>renameCollection</c> (on admin, within one database): moves a collection's documents, indexes and options to a
/// new name as one oplog entry, which change streams report as a <c>rename</c>.
/// </summary>
internal sealed class RenameCollectionCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["renameCollection"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        AdminOnly.Require(context);
        var (fromDatabase, from) = Split(context.Target, "renameCollection");
        var (toDatabase, to) = Split(context.Command.GetValue("to", BsonNull.Value), "to");
        if (fromDatabase != toDatabase)
        {
            throw new MongoErrorException(ErrorCodes.IllegalOperation, "The emulator renames collections within one database only");
        }

        var dropTarget = context.OptionalBool("dropTarget", false);
        var opTime = context.WriteNow(unit =>
        {
            if (unit.Collection(fromDatabase, from) is null)
            {
                throw new MongoErrorException(ErrorCodes.NamespaceNotFound, "Source collection " + $"{fromDatabase}.{from} does not exist");
            }

            if (unit.Collection(toDatabase, to) is not null)
            {
                if (!dropTarget)
                {
                    throw new MongoErrorException(ErrorCodes.NamespaceExists, "target namespace exists");
                }

                unit.Command(toDatabase, CatalogOperations.Drop(to));
            }

            unit.Command(fromDatabase, new BsonDocument { { "renameCollection", from }, { "to", to } });
            return unit.LastOpTime;
        });
        var reply = new BsonDocument();
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }

    private static (string Database, string Collection) Split(BsonValue value, string field)
    {
        var text = value.IsString ? value.AsString : "";
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == text.Length - 1)
        {
            throw new MongoErrorException(ErrorCodes.InvalidNamespace, $"Invalid namespace specified for '{field}': '{text}'");
        }

        return (text[..dot], text[(dot + 1)..]);
    }
}

/// <summary>
/// <c>collMod</c>: changes a collection's <c>changeStreamPreAndPostImages</c> option (the only one the emulator modifies).
/// </summary>
internal sealed class CollModCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["collMod"];

    public CommandAccess Access => CommandAccess.Write;

    public async Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var name = context.CollectionName;
        var images = context.OptionalDocument("changeStreamPreAndPostImages");
        var unsupported = context.Command.Names.Skip(1).FirstOrDefault(n => !n.StartsWith('$')
            && n is not ("changeStreamPreAndPostImages" or "lsid" or "txnNumber" or "writeConcern" or "comment"));
        if (unsupported is not null)
        {
            throw new MongoErrorException(ErrorCodes.InvalidOptions, $"The emulator's collMod does not support '{unsupported}'");
        }

        var opTime = context.WriteNow(unit =>
        {
            if (unit.Collection(context.Database, name) is null)
            {
                throw new MongoErrorException(ErrorCodes.NamespaceNotFound, $"ns does not exist: {context.Namespace}");
            }

            if (images is not null)
            {
                var enabled = images.GetValue("enabled", false).ToBoolean();
                unit.Command(context.Database, new BsonDocument
                {
                    { "collMod", name },
                    { "changeStreamPreAndPostImages", new BsonDocument("enabled", enabled) },
                });
            }

            return unit.LastOpTime;
        });
        var reply = new BsonDocument();
        await WriteSupport.CompleteAsync(context, opTime, reply).ConfigureAwait(false);
        return reply;
    }
}
