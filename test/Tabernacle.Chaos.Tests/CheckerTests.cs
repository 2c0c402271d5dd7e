using MongoDB.Bson;

namespace Tabernacle.Chaos.Tests;

/// <summary>The checker can fail: a hand-made history and final data with one of each anomaly, each reported.</summary>
public sealed class CheckerTests
{
    private long _nextId;

    [Fact]
    public void A_consistent_history_has_no_anomaly()
    {
        var ops = new List<Operation>
        {
            Write(OpKind.InsertMajority, "c0-1", Outcome.Ok),
            Write(OpKind.InsertW1, "c0-2", Outcome.Fail),
            Write(OpKind.InsertW1, "c0-3", Outcome.Unknown),
            Push("r0", "c0-4", Outcome.Ok),
            Transfer("t0-5", "a0", "a1", 10, Outcome.Ok),
            Read(Schema.Inserts, "majority", "c0-1", "c0-3"),
            Read(Schema.Inserts, "majority", "c0-1", "c0-3"),
        };
        var member = Member("m0", inserts: ["c0-1", "c0-3"], r0: ["c0-4"], transfers: [("t0-5", "a0", "a1", 10)]);

        Assert.Empty(Checker.Check(ops, [member, member with { Member = "m1" }]));
    }

    [Fact]
    public void Every_anomaly_kind_is_reported()
    {
        var lost = Write(OpKind.InsertMajority, "c0-1", Outcome.Ok);
        var failed = Write(OpKind.InsertW1, "c0-2", Outcome.Fail);
        var duplicated = Push("r0", "c0-3", Outcome.Ok);
        var partial = Transfer("t0-4", "a0", "a1", 10, Outcome.Ok);
        var readAfterWrite = Read(Schema.Inserts, "majority");
        var firstMajority = Read("r0", "majority", "c0-3");
        var secondMajority = Read("r0", "majority");
        var ops = new List<Operation> { lost, failed, duplicated, partial, readAfterWrite, firstMajority, secondMajority };

        // m0: the acknowledged insert is missing, the failed one is present, the push is there twice, the transfer
        // moved the money but left no record, and a3's balance was changed by nobody.
        var member = Member(
            "m0", inserts: ["c0-2"], r0: ["c0-3", "c0-3"], transfers: [], moved: [("t0-4", "a0", "a1", 10)], extraOnA3: 5);

        var anomalies = Checker.Check(ops, [member]);
        var kinds = anomalies.Select(a => a.Kind).ToHashSet();

        Assert.Contains(anomalies, a => a.Kind == AnomalyKind.LostWrite && a.Ops!.Contains(lost.Id) && a.Member == "m0");
        Assert.Contains(anomalies, a => a.Kind == AnomalyKind.DuplicateWrite && a.Ops!.Contains(duplicated.Id));
        Assert.Contains(anomalies, a => a.Kind == AnomalyKind.FailedButPresent && a.Ops!.Contains(failed.Id));
        Assert.Contains(anomalies, a => a.Kind == AnomalyKind.NonAtomicTransaction && a.Ops!.Contains(partial.Id));
        Assert.Contains(anomalies, a => a.Kind == AnomalyKind.BrokenInvariant && a.Detail.Contains("total", StringComparison.Ordinal));
        Assert.Contains(anomalies, a => a.Kind == AnomalyKind.StaleRead && a.Ops!.SequenceEqual([lost.Id, readAfterWrite.Id]));
        Assert.Contains(
            anomalies, a => a.Kind == AnomalyKind.NonMonotonicRead && a.Ops!.SequenceEqual([firstMajority.Id, secondMajority.Id]));
        Assert.Contains(AnomalyKind.BrokenInvariant, kinds);
    }

    [Fact]
    public void A_local_read_may_miss_its_own_majority_write_but_it_is_counted()
    {
        var write = Write(OpKind.InsertMajority, "c0-1", Outcome.Ok);
        var local = Read(Schema.Inserts, "local");
        var member = Member("m0", inserts: ["c0-1"]);

        Assert.Empty(Checker.Check([write, local], [member]));
        Assert.Contains(
            Checker.Observations([write, local], [member]), n =>
                n.Contains($"read op {local.Id} missed op {write.Id}", StringComparison.Ordinal));
    }

    [Fact]
    public void A_lost_write_on_one_member_only_names_that_member()
    {
        var write = Write(OpKind.InsertMajority, "c0-1", Outcome.Ok);
        var anomalies = Checker.Check([write], [Member("m0", inserts: ["c0-1"]), Member("m1", inserts: [])]);

        var anomaly = Assert.Single(anomalies);
        Assert.Equal(AnomalyKind.LostWrite, anomaly.Kind);
        Assert.Equal("m1", anomaly.Member);
    }

    [Fact]
    public void Unknown_outcomes_and_w1_writes_may_be_missing_but_not_duplicated()
    {
        var ops = new List<Operation>
        {
            Write(OpKind.InsertW1, "c0-1", Outcome.Ok),
            Write(OpKind.InsertMajority, "c0-2", Outcome.Unknown),
            Transfer("t0-3", "a0", "a1", 10, Outcome.Unknown),
            Push("r0", "c0-4", Outcome.Unknown),
        };

        Assert.Empty(Checker.Check(ops, [Member("m0", inserts: [])]));
        var duplicated = Checker.Check(ops, [Member("m0", inserts: [], r0: ["c0-4", "c0-4"])]);
        Assert.Equal(AnomalyKind.DuplicateWrite, Assert.Single(duplicated).Kind);
    }

    [Fact]
    public void The_fault_schedule_depends_only_on_the_seed()
    {
        var length = TimeSpan.FromSeconds(60);

        Assert.Equal(FaultSchedule.Generate(42, length), FaultSchedule.Generate(42, length));
        Assert.NotEqual(FaultSchedule.Generate(42, length), FaultSchedule.Generate(43, length));
        Assert.All(FaultSchedule.Generate(42, length), step => Assert.True(step.At < length));
    }

    [Fact]
    public void Client_seeds_are_the_same_in_every_process_and_differ_between_clients()
    {
        // Pinned values: a change here means old seeds no longer replay.
        Assert.Equal(1_000_003 + 7_919, ChaosClient.ClientSeed(1, 0));
        Assert.NotEqual(ChaosClient.ClientSeed(12345, 0), ChaosClient.ClientSeed(12345, 1));
    }

    [Fact]
    public void A_broken_register_counter_is_reported()
    {
        var member = Member("m0", r0: ["c0-1"]);
        var r0 = member[Schema.Registers][0];
        r0["n"] = 2;
        var anomalies = Checker.Check([Push("r0", "c0-1", Outcome.Ok)], [member]);

        Assert.Equal(AnomalyKind.BrokenInvariant, Assert.Single(anomalies).Kind);
    }

    [Fact]
    public void Loans_follow_borrows_and_returns()
    {
        var kept = Loan(OpKind.Borrow, "l0-1", Outcome.Ok);
        var returned = Loan(OpKind.Borrow, "l0-2", Outcome.Ok);
        var giveBack = Loan(OpKind.Return, "l0-2", Outcome.Ok);
        var refused = Loan(OpKind.Borrow, "l0-3", Outcome.Fail);
        var ops = new List<Operation> { kept, returned, giveBack, refused };

        Assert.Empty(Checker.Check(ops, [Member("m0", loans: [("l0-1", "b0", true), ("l0-2", "b0", false)])]));

        // The orphaned loan: a borrow reported failed left its loan and took a copy; an acknowledged return
        // did not happen; and b0's 2 copies now have 3 active loans.
        var anomalies = Checker.Check(ops, [Member("m0", loans: [("l0-1", "b0", true), ("l0-2", "b0", true), ("l0-3", "b0", true)])]);
        Assert.Contains(anomalies, a => a.Kind == AnomalyKind.FailedButPresent && a.Ops!.Contains(refused.Id));
        Assert.Contains(anomalies, a => a.Kind == AnomalyKind.LostWrite && a.Ops!.Contains(giveBack.Id));
        Assert.Contains(
            anomalies, a => a.Kind == AnomalyKind.BrokenInvariant && a.Detail.Contains("available -1", StringComparison.Ordinal));
    }

    [Fact]
    public void A_copy_lent_without_a_loan_breaks_the_copy_count()
    {
        var anomalies = Checker.Check([], [Member("m0", lentWithoutLoan: 1)]);

        var anomaly = Assert.Single(anomalies);
        Assert.Equal(AnomalyKind.BrokenInvariant, anomaly.Kind);
        Assert.Contains("book b0", anomaly.Detail, StringComparison.Ordinal);
    }

    private Operation Loan(OpKind kind, string loan, Outcome outcome) =>
        Start(kind) with { Value = loan, Target = "b0", Outcome = outcome };

    private Operation Start(OpKind kind) => new() { Id = ++_nextId, Client = 0, Kind = kind, Invoked = TimeSpan.FromSeconds(_nextId) };

    private Operation Write(OpKind kind, string value, Outcome outcome) => Start(kind) with { Value = value, Outcome = outcome };

    private Operation Push(string register, string value, Outcome outcome) =>
        Start(OpKind.RegisterPush) with { Value = value, Target = register, Outcome = outcome };

    private Operation Transfer(string txn, string from, string to, int amount, Outcome outcome) =>
        Start(OpKind.Transfer) with { Value = txn, From = from, To = to, Amount = amount, Outcome = outcome };

    private Operation Read(string target, string readConcern, params string[] seen) =>
        Start(OpKind.Read) with
        {
            Target = target, ReadConcern = readConcern, ReadPreference = "Secondary", Outcome = Outcome.Ok, Seen = seen,
        };

    /// <summary>
    /// A member's data: the inserted values, register r0's values (r1, r2 empty), the transfer records, the transfers
    /// applied to the balances and ids (by default the same as the records) and money that appeared on a3.
    /// </summary>
    private static MemberSnapshot Member(
        string name,
        string[]? inserts = null,
        string[]? r0 = null,
        (string Txn, string From, string To, int Amount)[]? transfers = null,
        (string Txn, string From, string To, int Amount)[]? moved = null,
        int extraOnA3 = 0,
        (string Loan, string Book, bool Active)[]? loans = null,
        int lentWithoutLoan = 0)
    {
        loans ??= [];
        transfers ??= [];
        moved ??= transfers;
        var accounts = Schema.AccountIds.ToDictionary(
            id => id, id => new BsonDocument { { "_id", id }, { "balance", Schema.InitialBalance }, { "applied", new BsonArray() } });
        foreach (var (txn, from, to, amount) in moved)
        {
            accounts[from]["balance"] = accounts[from]["balance"].AsInt32 - amount;
            accounts[to]["balance"] = accounts[to]["balance"].AsInt32 + amount;
            accounts[from]["applied"].AsBsonArray.Add(txn);
            accounts[to]["applied"].AsBsonArray.Add(txn);
        }

        accounts["a3"]["balance"] = accounts["a3"]["balance"].AsInt32 + extraOnA3;
        var registers = Schema.RegisterIds.Select(id =>
        {
            var values = id == "r0" ? r0 ?? [] : [];
            return new BsonDocument { { "_id", id }, { "n", values.Length }, { "vals", new BsonArray(values) } };
        });

        return new MemberSnapshot(name, new Dictionary<string, IReadOnlyList<BsonDocument>>
        {
            [Schema.Inserts] = [.. (inserts ?? []).Select(v => new BsonDocument { { "_id", v }, { "c", 0 }, { "v", v } })],
            [Schema.Registers] = [.. registers],
            [Schema.Accounts] = [.. accounts.Values],
            [Schema.Transfers] =
            [
                .. transfers.Select(t =>
                    new BsonDocument { { "_id", t.Txn }, { "from", t.From }, { "to", t.To }, { "amount", t.Amount } }),
            ],
            [Schema.Books] = [.. Schema.Copies.Select(b => new BsonDocument
            {
                { "_id", b.Key },
                { "copies", b.Value },
                { "available", b.Value - loans.Count(l => l.Book == b.Key && l.Active) - (b.Key == "b0" ? lentWithoutLoan : 0) },
            })],
            [Schema.Loans] =
            [
                .. loans.Select(l => new BsonDocument { { "_id", l.Loan }, { "book", l.Book }, { "c", 0 }, { "active", l.Active } }),
            ],
        });
    }
}
