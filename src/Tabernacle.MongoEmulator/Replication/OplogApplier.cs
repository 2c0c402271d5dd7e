using Tabernacle.MongoEmulator.Storage;

namespace Tabernacle.MongoEmulator.Replication;

/// <summary>How a secondary applies an oplog entry to its own data: idempotently, by <c>_id</c>.</summary>
internal static class OplogApplier
{
    public static void Apply(StorageEngine storage, RetryableWriteTable retryableWrites, OplogEntry entry)
    {
        switch (entry.Operation)
        {
            case OplogOperation.Insert:
            case OplogOperation.Update:
                // The primary's stored bytes, when the entry carries them, are shared rather than encoded again.
                storage.GetOrCreateDatabase(entry.Database).GetOrCreateCollection(entry.Collection!)
                    .Upsert(entry.Document!, entry.StoredDocument);
                break;
            case OplogOperation.Delete:
                storage.GetCollection(entry.Database, entry.Collection!)?.Delete(entry.DocumentId!);
                break;
            case OplogOperation.Command:
                CatalogOperations.Apply(storage, entry.Database, entry.Document!);
                break;
            case OplogOperation.ApplyOps:
                foreach (var change in TransactionChange.FromApplyOps(entry.Document!))
                {
                    TransactionChange.Apply(storage, change);
                }

                break;
            case OplogOperation.Noop:
                break;
        }

        if (entry.Statement is not null)
        {
            retryableWrites.Record(entry.Statement);
        }
    }
}
