using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Update;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Infrastructure.Internal;

using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>Turns MongoDB write failures into EF Core's exceptions, naming what failed and keeping the server's error inside.</summary>
internal static class SaveErrors
{
    public static DbUpdateException Translate(MongoException exception, IReadOnlyList<SaveOperation> operations, string? connectionString)
    {
        var entries = operations.Select(o => o.Entry).ToList();
        switch (exception)
        {
            case MongoBulkWriteException bulk when bulk.WriteErrors.Count > 0:
            {
                var error = bulk.WriteErrors[0];
                var failed = error.Index < operations.Count ? [operations[error.Index].Entry] : entries;
                var message = error.Code == ServerErrorCodes.DuplicateKey
                    ? $"Saving '{failed[0].EntityType.DisplayName()}' failed: a document with the same value already exists in a unique " +
                        $"index. {DuplicateKeyDetails(error.Message)}"
                    : $"Saving '{failed[0].EntityType.DisplayName()}' failed with MongoDB error {error.Code}: " +
                        $"{Redact(error.Message, connectionString)}";
                return new DbUpdateException(message, exception, failed);
            }

            case MongoBulkWriteException bulk when bulk.WriteConcernError is { } concernError:
                return new DbUpdateException(
                    $"The save was applied on the primary but its write concern was not satisfied: {concernError.Code} " +
                        $"{concernError.CodeName}: {concernError.Message}. The changes may not be durable; the change tracker still " +
                            $"holds them.",
                    exception,
                    entries);

            case MongoWriteConcernException concern:
                return new DbUpdateException($"The save's write concern failed: {Redact(concern.Message, connectionString)}", exception,
                    entries);

            default:
                return new DbUpdateException(
                    $"An error occurred while saving to MongoDB: {ConnectionStrings.DescribeFailure(exception, connectionString)} See " +
                        $"the inner exception for details.", exception, entries);
        }
    }

    /// <summary>"index: Sku_1" out of the server's E11000 message, without the duplicate value (logs must not carry it).</summary>
    private static string DuplicateKeyDetails(string serverMessage)
    {
        var message = ConnectionStrings.WithoutDuplicateKeyValues(serverMessage);
        var index = message.IndexOf("index:", StringComparison.Ordinal);
        return index < 0 ? message : $"Index: {message[(index + "index:".Length)..].Trim()}.";
    }

    private static string Redact(string message, string? connectionString) => ConnectionStrings.Redact(message, connectionString);

    /// <summary>The entries whose update or delete found no document as this context last saw it.</summary>
    public static DbUpdateConcurrencyException Concurrency(IReadOnlyList<SaveOperation> operations, IReadOnlyList<BsonDocument> stored)
    {
        var byId = stored.ToDictionary(d => d["_id"], d => d);
        var failed = new List<IUpdateEntry>();
        foreach (var operation in operations.Where(o => o.Filter is not null))
        {
            var filter = operation.Filter!;
            byId.TryGetValue(filter["_id"], out var current);
            var succeeded = operation.State == EntityState.Deleted
                ? current is null
                : current is not null && operation.Written!.Elements.All(e => current.GetValue(e.Name, BsonNull.Value).Equals(e.Value));
            if (!succeeded)
            {
                failed.Add(operation.Entry);
            }
        }

        if (failed.Count == 0)
        {
            failed.AddRange(operations.Where(o => o.Filter is not null).Select(o => o.Entry));
        }

        return new DbUpdateConcurrencyException(
            $"The database operation was expected to affect {operations.Count(o => o.Filter is not null)} document(s) but affected " +
                $"fewer: {failed.Count} of them were modified or deleted since they were loaded. Reload them and retry.",
            failed);
    }
}
