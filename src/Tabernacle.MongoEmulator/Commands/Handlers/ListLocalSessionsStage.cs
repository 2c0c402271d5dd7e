using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>$listLocalSessions</c>, the first stage of <c>{aggregate: 1}</c>: the sessions in this member's session cache,
/// the caller's own (<c>{}</c>), every user's (<c>allUsers: true</c>) or those of the named <c>users</c>.
/// </summary>
internal static class ListLocalSessionsStage
{
    public static bool IsListLocalSessions(BsonDocument stage) => stage.ElementCount == 1
        && stage.GetElement(0).Name == "$listLocalSessions";

    public static IEnumerable<BsonDocument> Build(CommandContext context, BsonDocument stage, bool collectionless)
    {
        if (!collectionless)
        {
            throw new MongoErrorException(
                ErrorCodes.InvalidNamespace, "$listLocalSessions must be run against the database with {aggregate: 1}, not a collection");
        }

        if (stage[0] is not BsonDocument spec)
        {
            throw new MongoErrorException(
                ErrorCodes.TypeMismatch,
                $"$listLocalSessions options must be specified in an object, but found: {CommandContext.BsonTypeName(stage[0])}");
        }

        Func<string?, bool> owned;
        if (spec.GetValue("allUsers", false).ToBoolean())
        {
            if (spec.Contains("users"))
            {
                throw new MongoErrorException(
                    ErrorCodes.FailedToParse, "The 'users' parameter may not be specified together with 'allUsers'");
            }

            owned = _ => true;
        }
        else if (spec.TryGetValue("users", out var users))
        {
            var names = (users as BsonArray ?? throw new MongoErrorException(
                ErrorCodes.TypeMismatch, "'users' must be an array of { user, db }"))
                .Select(u => u as BsonDocument ?? throw new MongoErrorException(
                    ErrorCodes.TypeMismatch, "'users' must be an array of { user, db }"))
                .Select(u => $"{u.GetValue("user", "")}@{u.GetValue("db", "")}")
                .ToHashSet(StringComparer.Ordinal);
            owned = owner => owner is not null && names.Contains(owner);
        }
        else
        {
            var caller = context.SessionOwner;
            owned = owner => owner == caller;
        }

        var sessions = context.Operations?.Sessions.Sessions ?? [];
        return sessions.Where(s => owned(s.Owner)).Select(s => s.ToDocument()).ToList();
    }
}
