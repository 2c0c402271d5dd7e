using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.Chaos;

/// <summary>
/// MongoDB's <c>failCommand</c> fail point on the primary, for the errors whose outcome the client must not guess:
/// a connection closed before a write or a commit runs (the driver retries), a write that applies but answers a
/// write-concern error, a commit or update refused with a retryable code. Works on a real mongod started with
/// <c>enableTestCommands=1</c> as on the emulator.
/// </summary>
internal static class FailCommandFault
{
    private static readonly (string Name, BsonDocument Data)[] Variants =
    [
        ("insert/update: connection closed", new BsonDocument
        {
            { "failCommands", new BsonArray { "insert", "update" } }, { "closeConnection", true },
        }),
        ("commitTransaction: connection closed", new BsonDocument
        {
            { "failCommands", new BsonArray { "commitTransaction" } }, { "closeConnection", true },
        }),
        ("insert/update: applied, then writeConcernError 91", new BsonDocument
        {
            { "failCommands", new BsonArray { "insert", "update" } },
            {
                "writeConcernError", new BsonDocument
                {
                    { "code", 91 }, { "codeName", "ShutdownInProgress" }, { "errmsg", "Replication is being shut down" },
                }
            },
        }),
        ("commitTransaction: error 91 ShutdownInProgress", new BsonDocument
        {
            { "failCommands", new BsonArray { "commitTransaction" } }, { "errorCode", 91 },
        }),
        ("update: error 189 PrimarySteppedDown", new BsonDocument
        {
            { "failCommands", new BsonArray { "update" } }, { "errorCode", 189 },
        }),
    ];

    /// <summary>Arms the fail point for a few commands, waits out the step, then disarms it.</summary>
    public static async Task<(FaultStatus Status, string Detail)> RunAsync(
        IMongoClient direct, string host, FaultStep step, CancellationToken stop)
    {
        var (name, data) = Variants[step.Pick % Variants.Length];
        var times = 1 + step.Pick / Variants.Length % 3;
        var admin = direct.GetDatabase("admin");
        try
        {
            await admin.RunCommandAsync<BsonDocument>(
                new BsonDocument
                {
                    { "configureFailPoint", "failCommand" }, { "mode", new BsonDocument("times", times) }, { "data", data },
                },
                cancellationToken: stop);
        }
        catch (MongoCommandException ex)
        {
            return (FaultStatus.Skipped, $"configureFailPoint refused ({ex.CodeName}): start mongod with enableTestCommands=1");
        }

        try
        {
            await Task.Delay(step.Duration, stop);
        }
        finally
        {
            await DisarmAsync(direct);
        }

        return (FaultStatus.Injected, $"{host}: {name}, {times} time(s)");
    }

    /// <summary>Turns the fail point off; a member that is down or unreachable has nothing armed that matters now.</summary>
    public static async Task DisarmAsync(IMongoClient direct)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            await direct.GetDatabase("admin").RunCommandAsync<BsonDocument>(
                new BsonDocument { { "configureFailPoint", "failCommand" }, { "mode", "off" } }, cancellationToken: timeout.Token);
        }
        catch (Exception ex) when (ex is MongoException or TimeoutException or OperationCanceledException)
        {
            // Down, stopped or cut off: the heal disarms it again once the member is back.
        }
    }
}
