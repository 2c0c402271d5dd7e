using Microsoft.EntityFrameworkCore;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>Which MongoDB errors are worth replaying a unit of work for.</summary>
internal static class TransientErrors
{
    // State-change and network error codes from the retryable writes and SDAM specifications.
    private static readonly HashSet<int> Codes = [6, 7, 89, 91, 189, 262, 9001, 10107, 11600, 11602, 13435, 13436, 112, 251];

    public static bool IsTransient(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                // The server answered the authentication (AuthenticationFailed, say): retrying cannot fix credentials. The driver's
                // MongoAuthenticationException is a MongoConnectionException, so it must be ruled out before that case below.
                // One without a server answer inside (the network failed mid-handshake) falls through to the inner exception.
                case MongoAuthenticationException { InnerException: MongoCommandException }:
                    return false;
                case MongoAuthenticationException:
                    continue;
                case MongoException mongo when mongo.HasErrorLabel("TransientTransactionError") || mongo.HasErrorLabel("UnknownTransactionCommitResult") || mongo.HasErrorLabel("RetryableWriteError"):
                    return true;
                case MongoConnectionException or MongoConnectionPoolPausedException or MongoNotPrimaryException or MongoNodeIsRecoveringException:
                    return true;
                case TimeoutException when e.Message.Contains("selecting a server", StringComparison.OrdinalIgnoreCase):
                    return true;
                case MongoCommandException command when Codes.Contains(command.Code):
                    return true;
                case MongoWriteConcernException concern when concern.WriteConcernResult?.Response?.GetValue("writeConcernError", null)?.AsBsonDocument?.GetValue("code", 0).ToInt32() is { } code && Codes.Contains(code):
                    return true;
                case MongoBulkWriteException bulk when bulk.WriteConcernError is { } wce && Codes.Contains(wce.Code):
                    return true;
                case DbUpdateConcurrencyException:
                    return false;
            }
        }

        return false;
    }
}
