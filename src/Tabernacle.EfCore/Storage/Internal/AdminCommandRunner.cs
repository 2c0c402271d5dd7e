using System.Diagnostics;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Diagnostics.Internal;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// Runs an administrative command that belongs to no context (the replica-set monitor's <c>replSetGetStatus</c>) through
/// the same telemetry as a context's commands: an activity with the provider's tags, the server that answered, and one
/// log line. A monitor polls every few seconds, so the line is written at Debug.
/// </summary>
internal static class AdminCommandRunner
{
    /// <summary>Runs <paramref name="command"/> on <c>admin</c> with <paramref name="readPreference"/>.</summary>
    public static async Task<BsonDocument> RunAsync(
        IMongoClient client, BsonDocument command, ReadPreference readPreference, ILogger logger, CancellationToken cancellationToken)
    {
        var operation = command.GetElement(0).Name;
        using var activity = TabernacleDiagnostics.ActivitySource.StartActivity($"{operation} admin", ActivityKind.Client);
        activity?.SetTag("db.system.name", "mongodb");
        activity?.SetTag("db.namespace", "admin");
        activity?.SetTag("db.operation.name", operation);
        activity?.SetTag("tabernacle.read_preference", readPreference.ReadPreferenceMode.ToString());
        var trace = ServerTracker.Begin();
        var stopwatch = Stopwatch.StartNew();
        try
        {
            var reply = await client.GetDatabase("admin")
                .RunCommandAsync<BsonDocument>(command, readPreference, cancellationToken)
                .ConfigureAwait(false);
            trace.Tag(activity);
            logger.LogDebug(
                "Executed {Operation} on admin ({ElapsedMilliseconds} ms) read preference {ReadPreference}, server {Server}",
                operation, stopwatch.ElapsedMilliseconds, readPreference.ReadPreferenceMode, trace.ServerText);
            return reply;
        }
        catch (Exception ex)
        {
            trace.Tag(activity);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            logger.LogDebug(
                "Failed {Operation} on admin ({ElapsedMilliseconds} ms) server {Server}: {Error}",
                operation, stopwatch.ElapsedMilliseconds, trace.ServerText, ex.GetType().Name);
            throw;
        }
        finally
        {
            ServerTracker.End();
        }
    }
}
