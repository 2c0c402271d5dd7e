using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.MongoEmulator.Tests.Host;

namespace Tabernacle.MongoEmulator.Tests.Persistence;

/// <summary>The host's <c>--data</c>: the set survives a killed process with every acknowledged write and no half-applied one.</summary>
public sealed class HostDataDirectoryTests : IDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);
    private readonly string _data = Path.Combine(Path.GetTempPath(), "tabernacle-host-data-" + Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
        {
            Directory.Delete(_data, recursive: true);
        }
    }

    private static MongoClient Connect(string connectionString, TimeSpan selection)
    {
        var settings = MongoClientSettings.FromConnectionString(connectionString);
        settings.ServerSelectionTimeout = selection;
        return new MongoClient(settings);
    }

    [SkippableFact]
    public async Task A_killed_host_restarts_with_every_acknowledged_write_and_no_half_applied_transaction()
    {
        Skip.If(OperatingSystem.IsWindows(), "the kill is a POSIX SIGKILL");
        var acknowledged = new List<int>();
        var enoughWritten = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var killed = false;
        Task writer;
        using (var host = HostProcess.Start("--members", "3", "--port", "0", "--data", _data))
        {
            var connectionString = await host.ReadStdoutLineAsync(s_startTimeout);
            using var client = Connect(connectionString, TimeSpan.FromSeconds(3));
            var pairs = client.GetDatabase("bank").GetCollection<BsonDocument>("pairs");

            // Each transaction writes two documents (one applyOps entry): after the kill both or neither may exist.
            writer = Task.Run(async () =>
            {
                for (var i = 0; ; i++)
                {
                    try
                    {
                        using var session = await client.StartSessionAsync();
                        session.StartTransaction();
                        var payload = new string((char)('a' + (i % 26)), 1000 + i);
                        await pairs.InsertOneAsync(session, Half("debit", i, payload));
                        await pairs.InsertOneAsync(session, Half("credit", i, payload));
                        await session.CommitTransactionAsync();
                    }
                    catch (Exception) when (Volatile.Read(ref killed))
                    {
                        return;
                    }

                    lock (acknowledged)
                    {
                        acknowledged.Add(i);
                        if (acknowledged.Count == 40)
                        {
                            enoughWritten.TrySetResult();
                        }
                    }
                }
            });

            await Task.WhenAny(enoughWritten.Task, writer);
            Assert.True(enoughWritten.Task.IsCompleted, $"the writer stopped early: {writer.Exception}");

            // SIGKILL while the writer is in the middle of its next transaction: no shutdown, no final checkpoint.
            Volatile.Write(ref killed, true);
            host.Dispose();
            await writer;
        }

        using var restarted = HostProcess.Start("--members", "3", "--port", "0", "--data", _data);
        var again = await restarted.ReadStdoutLineAsync(s_startTimeout);
        using var reader = Connect(again, TimeSpan.FromSeconds(30));
        var pairsAgain = reader.GetDatabase("bank").GetCollection<BsonDocument>("pairs");
        var documents = await pairsAgain.Find(FilterDefinition<BsonDocument>.Empty).ToListAsync();
        var byTransaction = documents.GroupBy(d => d["n"].AsInt32).ToDictionary(g => g.Key, g => g.ToList());

        List<int> acked;
        lock (acknowledged)
        {
            acked = [.. acknowledged];
        }

        Assert.True(acked.Count >= 40);
        Assert.All(acked, i => Assert.True(byTransaction.ContainsKey(i), $"acknowledged transaction {i} is missing after the restart"));
        Assert.All(byTransaction, t =>
        {
            Assert.True(t.Value.Count == 2, $"transaction {t.Key} is half-applied: {string.Join(", ", t.Value.Select(d => d["_id"]))}");
            Assert.All(t.Value, d => Assert.Equal(d["length"].AsInt32, d["payload"].AsString.Length));
        });

        // At most the one transaction in flight at the kill may be there unacknowledged.
        Assert.InRange(byTransaction.Count - acked.Count, 0, 1);
        Assert.Contains("recovered", restarted.Stderr, StringComparison.Ordinal);
    }

    private static BsonDocument Half(string side, int i, string payload) =>
        new() { { "_id", $"{side}-{i}" }, { "n", i }, { "payload", payload }, { "length", payload.Length } };

    [Fact]
    public async Task A_corrupt_data_directory_exits_3_naming_the_file()
    {
        using (var host = HostProcess.Start("--members", "1", "--port", "0", "--data", _data))
        {
            var connectionString = await host.ReadStdoutLineAsync(s_startTimeout);
            using var client = Connect(connectionString, TimeSpan.FromSeconds(30));
            var items = client.GetDatabase("d").GetCollection<BsonDocument>("items");
            for (var i = 0; i < 3; i++)
            {
                await items.InsertOneAsync(new BsonDocument("_id", i));
            }
        }

        // Killed (disposed) without a checkpoint: the journal holds the writes; damage one with records after it.
        var journal = Directory.GetFiles(Path.Combine(_data, "member-0"), "journal-*.log").Single();
        var bytes = await File.ReadAllBytesAsync(journal);
        bytes[DataDirectoryTests.LastRecordOffset(bytes) - 2] ^= 0x33;
        await File.WriteAllBytesAsync(journal, bytes);

        using var broken = HostProcess.Start("--members", "1", "--port", "0", "--data", _data);
        Assert.Equal(3, await broken.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("error: option '--data'", broken.Stderr, StringComparison.Ordinal);
        Assert.Contains(Path.GetFileName(journal), broken.Stderr, StringComparison.Ordinal);
        Assert.Empty(await broken.ReadStdoutToEndAsync(TimeSpan.FromSeconds(10)));
    }
}
