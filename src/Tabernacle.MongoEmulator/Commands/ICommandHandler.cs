using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Commands;

/// <summary>One command (or a family of commands that share a handler, such as <c>hello</c> and <c>isMaster</c>).</summary>
internal interface ICommandHandler
{
    /// <summary>The command names this handler answers, as they appear as the first field of the command document.</summary>
    IReadOnlyList<string> Names { get; }

    CommandAccess Access { get; }

    /// <summary>Runs the command and returns the reply without <c>ok</c>, <c>$clusterTime</c> or <c>operationTime</c>, which the dispatcher
    /// adds.</summary>
    Task<BsonDocument> ExecuteAsync(CommandContext context);
}
