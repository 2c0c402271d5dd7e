using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Replication.ChangeStreams;

/// <summary>What a change stream watches: one collection, one database, or the whole cluster.</summary>
internal enum ChangeStreamLevel
{
    Collection,
    Database,
    Cluster,
}

/// <summary>The parsed <c>$changeStream</c> stage: scope, full-document modes and where the stream starts.</summary>
internal sealed record ChangeStreamSpec(
    ChangeStreamLevel Level,
    string Database,
    string? Collection,
    string FullDocument,
    string FullDocumentBeforeChange,
    StreamPosition? Start,
    bool StartsAfterInvalidate)
{
    private static readonly HashSet<string> FullDocumentModes = ["default", "updateLookup", "whenAvailable", "required"];
    private static readonly HashSet<string> BeforeChangeModes = ["off", "whenAvailable", "required"];

    /// <summary>
    /// Parses <paramref name="stage"/>'s value for an aggregate on <paramref name="database"/> and
    /// <paramref name="collection"/> (<c>null</c> for <c>aggregate: 1</c>), with mongod's errors.
    /// </summary>
    public static ChangeStreamSpec Parse(BsonValue stage, string database, string? collection)
    {
        if (stage is not BsonDocument spec)
        {
            throw new MongoErrorException(50808, "$changeStream stage expects a document as argument");
        }

        var fullDocument = "default";
        var beforeChange = "off";
        var allChangesForCluster = false;
        StreamPosition? start = null;
        var startOptions = 0;
        var startAfterInvalidate = false;
        foreach (var element in spec)
        {
            switch (element.Name)
            {
                case "fullDocument":
                    fullDocument = Mode(element, FullDocumentModes);
                    break;
                case "fullDocumentBeforeChange":
                    beforeChange = Mode(element, BeforeChangeModes);
                    break;
                case "allChangesForCluster":
                    allChangesForCluster = element.Value.ToBoolean();
                    break;
                case "showExpandedEvents" or "showMigrationEvents" or "showSystemEvents" or "allowToRunOnConfigDB":
                    break;
                case "resumeAfter":
                    start = StreamPosition.FromToken(element.Value, element.Name);
                    if (start.Value.FromInvalidate)
                    {
                        throw new MongoErrorException(ErrorCodes.InvalidResumeToken,
                            "Attempting to resume a change stream using 'resumeAfter' is not allowed from an invalidate notification.");
                    }

                    startOptions++;
                    break;
                case "startAfter":
                    start = StreamPosition.FromToken(element.Value, element.Name);
                    startAfterInvalidate = start.Value.FromInvalidate;
                    startOptions++;
                    break;
                case "startAtOperationTime":
                    if (element.Value is not BsonTimestamp time)
                    {
                        throw new MongoErrorException(ErrorCodes.TypeMismatch,
                            "BSON field '$changeStream.startAtOperationTime' is the wrong type, expected type 'timestamp'");
                    }

                    start = StreamPosition.Before(time);
                    startOptions++;
                    break;
                default:
                    throw new MongoErrorException(ErrorCodes.IDLUnknownField,
                        $"BSON field '$changeStream.{element.Name}' is an unknown field.");
            }
        }

        if (startOptions > 1)
        {
            throw new MongoErrorException(40674, "Only one type of resume option is allowed, but multiple were found.");
        }

        var level = LevelOf(database, collection, allChangesForCluster);
        return new ChangeStreamSpec(level, database, collection, fullDocument, beforeChange, start, startAfterInvalidate);
    }

    /// <summary>Whether an event on <paramref name="database"/>.<paramref name="collection"/> belongs to this stream.</summary>
    public bool Watches(string database, string? collection)
    {
        if (collection is not null && collection.StartsWith("system.", StringComparison.Ordinal))
        {
            return false;
        }

        return Level switch
        {
            ChangeStreamLevel.Cluster => database is not ("admin" or "config" or "local"),
            ChangeStreamLevel.Database => database == Database,
            _ => database == Database && (collection is null || collection == Collection),
        };
    }

    private static ChangeStreamLevel LevelOf(string database, string? collection, bool allChangesForCluster)
    {
        if (allChangesForCluster)
        {
            if (database != "admin" || collection is not null)
            {
                throw new MongoErrorException(ErrorCodes.InvalidNamespace,
                    "A $changeStream with 'allChangesForCluster:true' may only be opened on the 'admin' database, "
                    + "and with no collection name");
            }

            return ChangeStreamLevel.Cluster;
        }

        if (database is "admin" or "config" or "local")
        {
            throw new MongoErrorException(ErrorCodes.InvalidNamespace,
                $"$changeStream may not be opened on the internal {database} database");
        }

        return collection is null ? ChangeStreamLevel.Database : ChangeStreamLevel.Collection;
    }

    private static string Mode(BsonElement element, HashSet<string> modes)
    {
        if (!element.Value.IsString)
        {
            throw new MongoErrorException(
                ErrorCodes.TypeMismatch, $"BSON field '$changeStream.{element.Name}' is the wrong type, expected type 'string'");
        }

        var mode = element.Value.AsString;
        return modes.Contains(mode)
            ? mode
            : throw new MongoErrorException(
                ErrorCodes.BadValue, $"Enumeration value '{mode}' for field '$changeStream.{element.Name}' is not a valid value.");
    }
}
