using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using MongoDB.Bson;
using MongoDB.Driver;

namespace Tabernacle.MongoEmulator.Tests.Replication;

/// <summary>An old primary's unreplicated writes are rolled back when it rejoins, kept for reading, and logged.</summary>
public sealed class RollbackTests : EmulatorTestBase
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);
    private readonly CapturingLoggerFactory _logs = new();

    protected override ReplicaSetEmulatorOptions Options =>
        new() { Members = 3, ElectionTimeout = TimeSpan.FromMilliseconds(300), LoggerFactory = _logs };

    [Fact]
    public async Task A_primary_stopped_with_unreplicated_writes_rolls_them_back_when_it_restarts()
    {
        var items = Client.GetDatabase("rollback").GetCollection<BsonDocument>("items");
        await items.InsertOneAsync(Doc("{ _id: 1, v: 'committed' }"));
        await Emulator.WaitForReplicationAsync(Patience);
        var old = Emulator.Primary!;
        var secondaries = Emulator.Members.Where(m => m != old).ToList();
        secondaries.ForEach(s => s.PauseReplication());

        using var direct = new MongoClient($"mongodb://{old.Host}/?directConnection=true&retryWrites=false");
        var onOld = direct.GetDatabase("rollback").GetCollection<BsonDocument>("items").WithWriteConcern(WriteConcern.W1);
        await onOld.InsertOneAsync(Doc("{ _id: 2, v: 'unreplicated' }"));
        await onOld.UpdateOneAsync(Doc("{ _id: 1 }"), Doc("{ $set: { v: 'changed only on the old primary' } }"));

        await old.StopAsync();
        secondaries.ForEach(s => s.ResumeReplication());
        var replacement = await Emulator.WaitForPrimaryAsync(Patience);
        await old.StartAsync();
        await Emulator.WaitForReplicationAsync(Patience);

        Assert.Equal(1, old.RollbackCount);
        var kept = old.GetRolledBackDocuments("rollback", "items").OrderBy(d => d["_id"].AsInt32).ToList();
        Assert.Equal([Doc("{ _id: 1, v: 'changed only on the old primary' }"), Doc("{ _id: 2, v: 'unreplicated' }")], kept);
        Assert.Equal([Doc("{ _id: 1, v: 'committed' }")], old.GetDocuments("rollback", "items"));
        Assert.Equal(replacement.GetDocuments("rollback", "items"), old.GetDocuments("rollback", "items"));
        Assert.Contains(
            _logs.Messages, m => m.Level == LogLevel.Warning && m.Text.Contains("rolls back 2 oplog entries", StringComparison.Ordinal));
        Assert.Empty(old.Member.Set.InvariantViolations);
    }

    public sealed record LogMessage(LogLevel Level, string Text);

    /// <summary>Keeps every message the emulator logs, so a test can look for one.</summary>
    private sealed class CapturingLoggerFactory : ILoggerFactory, ILogger
    {
        public ConcurrentQueue<LogMessage> Messages { get; } = new();

        public ILogger CreateLogger(string categoryName) => this;

        public void AddProvider(ILoggerProvider provider)
        {
        }

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(
            LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Messages.Enqueue(new LogMessage(logLevel, formatter(state, exception)));

        public void Dispose()
        {
        }
    }
}
