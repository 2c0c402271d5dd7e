using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Aggregation;

namespace Tabernacle.MongoEmulator.Replication.ChangeStreams;

/// <summary>One batch of a change stream: the events, the token to resume after it, and whether the stream ended.</summary>
internal sealed record ChangeBatch(BsonArray Events, BsonDocument PostBatchResumeToken, bool Invalidated);

/// <summary>
/// Reads one change stream's events from one member's oplog, from its position on, up to the member's majority commit
/// point only: an event is shown once a majority holds it, so no stream ever shows a write that a failover rolls back.
/// The stages after <c>$changeStream</c> run on each event. Not thread-safe: its cursor serialises reads.
/// </summary>
internal sealed class ChangeStreamReader
{
    private const int ScanChunk = 1000;

    private readonly ReplicaMember _member;
    private readonly AggregationPipeline? _pipeline;
    private readonly ChangeEventFactory _events;

    public ChangeStreamReader(ChangeStreamSpec spec, ReplicaMember member, AggregationPipeline? pipeline)
    {
        _member = member;
        _pipeline = pipeline;
        _events = new ChangeEventFactory(spec, member);

        // Without a start option the stream begins after everything this member has applied, as mongod's does.
        Position = spec.Start ?? StreamPosition.HighWaterMark(member.LastApplied.Timestamp);
        CheckHistory();
    }

    /// <summary>Everything up to here has been returned or passed over.</summary>
    public StreamPosition Position { get; private set; }

    /// <summary>The cluster time the stream started at, the aggregate reply's <c>operationTime</c>.</summary>
    public BsonTimestamp StartTime => Position.Time;

    /// <summary>Up to <paramref name="maxEvents"/> majority-committed events after <see cref="Position"/>.</summary>
    public ChangeBatch Read(int maxEvents)
    {
        var output = new BsonArray();
        lock (_member.Storage.SyncRoot)
        {
            var commitPoint = _member.AdvanceCommitPoint();
            CheckHistory();
            while (true)
            {
                var entries = _member.Oplog.Since(Position.Time, ScanChunk);
                var reachedCommitPoint = entries.Count < ScanChunk;
                foreach (var entry in entries)
                {
                    if (entry.OpTime > commitPoint)
                    {
                        reachedCommitPoint = true;
                        break;
                    }

                    foreach (var change in _events.EventsOf(entry))
                    {
                        if (!Position.Precedes(change.Position))
                        {
                            continue;
                        }

                        Position = change.Position;
                        if (Transform(change) is { } shown)
                        {
                            output.Add(shown);
                        }

                        if (change.Invalidates)
                        {
                            return new ChangeBatch(output, Position.ToToken(), Invalidated: true);
                        }

                        if (output.Count >= maxEvents)
                        {
                            return new ChangeBatch(output, Position.ToToken(), Invalidated: false);
                        }
                    }

                    Position = StreamPosition.Later(Position, StreamPosition.HighWaterMark(entry.OpTime.Timestamp));
                }

                if (reachedCommitPoint)
                {
                    break;
                }
            }

            if (!commitPoint.IsNull)
            {
                Position = StreamPosition.Later(Position, StreamPosition.HighWaterMark(commitPoint.Timestamp));
            }
        }

        return new ChangeBatch(output, Position.ToToken(), Invalidated: false);
    }

    private BsonDocument? Transform(ChangeEvent change)
    {
        if (_pipeline is null)
        {
            return change.Document;
        }

        var results = _pipeline.Execute([change.Document]).ToList();
        if (results.Count == 0)
        {
            return null;
        }

        var shown = results[0];
        if (!shown.TryGetValue("_id", out var token) || !token.Equals(change.Document["_id"]))
        {
            throw new MongoErrorException(ErrorCodes.ChangeStreamFatalError,
                "Encountered an event whose _id field, which contains the resume token, was modified by the pipeline. Modifying the _id "
                + "field of an event makes it impossible to resume the stream from that point. Only transformations that retain the "
                + "unmodified _id field are allowed.");
        }

        return shown;
    }

    // The oplog keeps a bounded history: a stream whose position fell off its start can no longer be sure it saw everything.
    private void CheckHistory()
    {
        var oplog = _member.Oplog;
        if (oplog.HasTruncated && (ulong)Position.Time.Value < (ulong)oplog.Earliest.Timestamp.Value)
        {
            throw new MongoErrorException(ErrorCodes.ChangeStreamHistoryLost,
                $"Resume of change stream was not possible, as the resume point ({Position.Time}) may no longer be in the oplog; "
                + $"the oldest entry is at {oplog.Earliest.Timestamp}.");
        }
    }
}
