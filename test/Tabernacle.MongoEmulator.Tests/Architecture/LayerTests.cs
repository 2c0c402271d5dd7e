using Mono.Cecil;
using Tabernacle.Testing;
using Xunit;

namespace Tabernacle.MongoEmulator.Tests.Architecture;

/// <summary>
/// The emulator's layers call only downward (src/Tabernacle.MongoEmulator/README.md): Wire -> Commands -> Replication
/// -> Storage, with Query (pure functions over BSON) used by all of them and Errors by everyone. Wire hands requests
/// down through its <c>IRequestHandler</c>, which the dispatcher implements, so in the compiled code Commands refers to
/// Wire's request types and Wire refers to no layer below it. Security serves Wire and Commands and is not checked.
/// Each type's layer is the folder of its source file, read from the portable PDB; types in the root folder (the
/// public entry points) wire the layers together and are not checked.
/// </summary>
public sealed class LayerTests
{
    private static readonly Dictionary<string, string[]> Forbidden = new()
    {
        ["Errors"] = ["Query", "Storage", "Replication", "Commands", "Wire", "Security"],
        ["Query"] = ["Storage", "Replication", "Commands", "Wire", "Security"],
        ["Storage"] = ["Replication", "Commands", "Wire", "Security"],
        ["Replication"] = ["Commands", "Wire", "Security"],
        ["Wire"] = ["Replication", "Storage"],
    };

    private static readonly Lazy<LayerGraph> Graph =
        new(() => LayerGraph.Read(typeof(MongoReplicaSetEmulator).Assembly.Location, "Tabernacle.MongoEmulator"));

    [Fact]
    public void No_layer_of_the_emulator_references_a_layer_above_it()
    {
        var violations = Graph.Value.UpwardReferences(Forbidden);

        Assert.True(violations.Count == 0, "Upward references:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Commands_never_take_a_members_storage_lock_nor_touch_its_transaction_table()
    {
        // The lock discipline lives in Replication (MemberGate, ReplicaMember.Write): a handler that locks the storage
        // itself reads past read concern and spreads the lock order over the layers; the transaction table is guarded
        // by that lock, so it too is reached only through MemberGate.
        var violations = Graph.Value.MemberUses
            .Where(u => u.FromLayer == "Commands"
                && (u.Member == "Tabernacle.MongoEmulator.Storage.StorageEngine::get_SyncRoot"
                    || u.Member.StartsWith("Tabernacle.MongoEmulator.Replication.TransactionManager::", StringComparison.Ordinal)))
            .Select(u => $"{u.From} uses {u.Member}")
            .Distinct()
            .Order()
            .ToList();

        Assert.True(violations.Count == 0, "Storage lock or transaction table used in Commands:\n" + string.Join("\n", violations));
    }

    [Fact]
    public void Command_handlers_see_a_member_only_through_its_status_view()
    {
        // CommandContext keeps the member private: handlers reach its data through the context's Read/Write operations
        // (served by Replication) and its state through IMemberStatus, so a handler cannot take the storage, the oplog
        // or the transaction table. Only the context and the dispatcher, which owns the member, may use it directly.
        string[] owners = ["Tabernacle.MongoEmulator.Commands.CommandContext", "Tabernacle.MongoEmulator.Commands.CommandDispatcher"];
        var violations = Graph.Value.MemberUses
            .Where(u => u.FromLayer == "Commands"
                && !owners.Any(o => u.From == o || u.From.StartsWith(o + "/", StringComparison.Ordinal))
                && u.Member.StartsWith("Tabernacle.MongoEmulator.Replication.ReplicaMember::", StringComparison.Ordinal))
            .Select(u => $"{u.From} uses {u.Member}")
            .Distinct()
            .Order()
            .ToList();

        Assert.True(violations.Count == 0, "A handler uses the member itself:\n" + string.Join("\n", violations));
        // Not vacuous: the context's own uses of the member are seen, and handlers do use the view.
        Assert.Contains(Graph.Value.MemberUses, u => u.From == owners[0]
            && u.Member.StartsWith("Tabernacle.MongoEmulator.Replication.ReplicaMember::", StringComparison.Ordinal));
        Assert.Contains(Graph.Value.MemberUses, u => u.FromLayer == "Commands"
            && u.Member.StartsWith("Tabernacle.MongoEmulator.Replication.IMemberStatus::", StringComparison.Ordinal));
    }

    [Fact]
    public void Commands_reach_data_and_catalog_only_through_the_readers_and_writers_Replication_hands_them()
    {
        // IDocumentReader/IDocumentWriter (and WriteUnit) are the operations Replication implements under its lock; the
        // storage engine behind them (every database, its mutators, its history) is not handed to the Commands layer.
        var violations = Graph.Value.MemberUses
            .Where(u => u.FromLayer == "Commands"
                && u.Member.StartsWith("Tabernacle.MongoEmulator.Storage.StorageEngine::", StringComparison.Ordinal))
            .Select(u => $"{u.From} uses {u.Member}")
            .Distinct()
            .Order()
            .ToList();

        Assert.True(violations.Count == 0, "The storage engine used in Commands:\n" + string.Join("\n", violations));
        // Not vacuous: Replication does use the engine, and Commands use the reader's catalog operations.
        Assert.Contains(Graph.Value.MemberUses, u => u.FromLayer == "Replication"
            && u.Member.StartsWith("Tabernacle.MongoEmulator.Storage.StorageEngine::", StringComparison.Ordinal));
        Assert.Contains(Graph.Value.MemberUses, u => u.FromLayer == "Commands"
            && u.Member.StartsWith("Tabernacle.MongoEmulator.Replication.IDocumentReader::", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("Tabernacle.MongoEmulator.Commands.Handlers.ListCollectionsCommand")]
    [InlineData("Tabernacle.MongoEmulator.Commands.Handlers.ListIndexesCommand")]
    [InlineData("Tabernacle.MongoEmulator.Commands.Handlers.FindCommand")]
    public void Catalog_reads_go_through_the_read_concern_path_like_find(string handler)
    {
        // CommandContext.Read picks the reader for the command's read concern (MemberGate.Read); a handler that reads
        // the storage some other way skips it, as listCollections and listIndexes once did.
        var calls = Graph.Value.MemberUses.Where(u => u.From == handler).Select(u => u.Member).ToHashSet();

        Assert.Contains("Tabernacle.MongoEmulator.Commands.CommandContext::Read", calls);
        Assert.DoesNotContain("Tabernacle.MongoEmulator.Commands.CommandContext::ReadLatest", calls);
    }

    [Fact]
    public void The_check_sees_the_layers_of_the_assembly()
    {
        // Guards the tests above against passing vacuously (no PDB, a moved source tree): the known references are
        // seen, and so is the storage lock where Replication takes it.
        var edges = Graph.Value.References.Select(r => (r.FromLayer, r.ToLayer)).ToHashSet();

        Assert.Contains(("Commands", "Wire"), edges);
        Assert.Contains(("Commands", "Replication"), edges);
        Assert.Contains(("Commands", "Query"), edges);
        Assert.Contains(("Replication", "Storage"), edges);
        Assert.Contains(("Storage", "Query"), edges);
        Assert.Contains(
            Graph.Value.MemberUses,
            u => u.FromLayer == "Replication" && u.Member == "Tabernacle.MongoEmulator.Storage.StorageEngine::get_SyncRoot");
        Assert.Contains(
            Graph.Value.MemberUses,
            u => u.FromLayer == "Replication"
                && u.Member.StartsWith("Tabernacle.MongoEmulator.Replication.TransactionManager::", StringComparison.Ordinal));
    }
}
