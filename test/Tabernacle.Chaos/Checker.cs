using MongoDB.Bson;

namespace Tabernacle.Chaos;

internal enum AnomalyKind
{
    /// <summary>An acknowledged w:majority write (insert, push, committed transfer) is missing on a member.</summary>
    LostWrite,

    /// <summary>A write is present more than once on a member.</summary>
    DuplicateWrite,

    /// <summary>A write reported as definitely failed is present on a member.</summary>
    FailedButPresent,

    /// <summary>A member holds a value no operation ever wrote.</summary>
    UnexpectedValue,

    /// <summary>Only part of a transaction's writes are present on a member.</summary>
    NonAtomicTransaction,

    /// <summary>Total balance changed, a balance disagrees with the transfers, or a register's counter with its values.</summary>
    BrokenInvariant,

    /// <summary>A causal read missed a w:majority write its own session had acknowledged before.</summary>
    StaleRead,

    /// <summary>A majority read in a session saw fewer of the session's values than an earlier majority read.</summary>
    NonMonotonicRead,

    /// <summary>After the faults were undone the set did not accept a write on every member within the deadline.</summary>
    SetDidNotHeal,
}

internal sealed record Anomaly(AnomalyKind Kind, string Detail, string? Member = null, IReadOnlyList<long>? Ops = null)
{
    public override string ToString()
    {
        var member = Member is null ? "" : $" on {Member}";
        var ops = Ops is null || Ops.Count == 0 ? "" : $" (ops {string.Join(", ", Ops)})";
        return $"{Kind}{member}{ops}: {Detail}";
    }
}

/// <summary>
/// Checks a history against every member's final data. The rules follow what MongoDB promises: w:majority writes
/// survive failover, w:1 writes may be rolled back (so they are only checked for duplicates and against failures),
/// and causal consistency guarantees read-your-writes for w:majority writes and monotonic reads for majority reads
/// (the MongoDB manual's table of causal guarantees by read and write concern, "even with failures").
/// </summary>
internal static class Checker
{
    public static IReadOnlyList<Anomaly> Check(IReadOnlyList<Operation> history, IReadOnlyList<MemberSnapshot> members)
    {
        var anomalies = new List<Anomaly>();
        foreach (var member in members)
        {
            CheckInserts(history, member, anomalies);
            CheckRegisters(history, member, anomalies);
            CheckTransfers(history, member, anomalies);
            CheckLoans(history, member, anomalies);
        }

        CheckReads(history, anomalies);
        return anomalies;
    }

    /// <summary>
    /// What the history and data show that is allowed but worth knowing: acknowledged w:1 inserts that are gone (rolled
    /// back), and how the writes with an unknown outcome ended.
    /// </summary>
    public static IReadOnlyList<string> Observations(IReadOnlyList<Operation> history, IReadOnlyList<MemberSnapshot> members)
    {
        if (members.Count == 0)
        {
            return [];
        }

        var notes = new List<string>();
        var first = members[0];
        var inserted = first[Schema.Inserts].Select(d => d.GetValue("v", BsonNull.Value).ToString()).ToHashSet();
        var lostW1 = history.Where(o => o.Kind == OpKind.InsertW1 && o.Outcome == Outcome.Ok && !inserted.Contains(o.Value!)).ToList();
        notes.Add($"acknowledged w:1 inserts missing on {first.Member} (rolled back, allowed): {lostW1.Count}"
            + (lostW1.Count == 0 ? "" : $" (e.g. op {lostW1[0].Id}, {lostW1[0].Value})"));

        var pushed = first[Schema.Registers].SelectMany(r => r["vals"].AsBsonArray.Select(v => v.AsString)).ToHashSet();
        var transferred = first[Schema.Transfers].Select(d => d["_id"].AsString).ToHashSet();
        var lent = first[Schema.Loans].Select(d => d["_id"].AsString).ToHashSet();
        var unknown = history.Where(o => o.Outcome == Outcome.Unknown && o.Kind is not (OpKind.Read or OpKind.Return)).ToList();
        var present = unknown.Count(o => o.Kind switch
        {
            OpKind.InsertW1 or OpKind.InsertMajority => inserted.Contains(o.Value!),
            OpKind.RegisterPush => pushed.Contains(o.Value!),
            OpKind.Transfer => transferred.Contains(o.Value!),
            _ => lent.Contains(o.Value!),
        });
        notes.Add($"writes with an unknown outcome: {unknown.Count}, of which present on {first.Member}: {present}");
        var localMisses = MissedOwnWrites(history).Where(m => m.Read.ReadConcern != "majority").ToList();
        notes.Add($"local reads that missed an acknowledged w:majority write of their session (allowed): {localMisses.Count}"
            + (localMisses.Count == 0 ? "" : $" (e.g. read op {localMisses[0].Read.Id} missed op {localMisses[0].Write.Id})"));
        return notes;
    }

    /// <summary>The presence rule shared by every kind of write: how many copies an outcome allows.</summary>
    private static void CheckPresence(Operation op, int copies, bool durable, string member, string what, List<Anomaly> anomalies)
    {
        if (copies > 1)
        {
            anomalies.Add(new Anomaly(AnomalyKind.DuplicateWrite, $"{what} present {copies} times; {op}", member, [op.Id]));
        }
        else if (copies == 0 && op.Outcome == Outcome.Ok && durable)
        {
            anomalies.Add(new Anomaly(AnomalyKind.LostWrite, $"acknowledged {what} is missing; {op}", member, [op.Id]));
        }
        else if (copies > 0 && op.Outcome == Outcome.Fail)
        {
            anomalies.Add(new Anomaly(AnomalyKind.FailedButPresent, $"{what} reported failed is present; {op}", member, [op.Id]));
        }
    }

    private static void CheckInserts(IReadOnlyList<Operation> history, MemberSnapshot member, List<Anomaly> anomalies)
    {
        var counts = member[Schema.Inserts]
            .GroupBy(d => d.GetValue("v", BsonNull.Value).ToString()!)
            .ToDictionary(g => g.Key, g => g.Count());
        var inserts = history.Where(o => o.Kind is OpKind.InsertW1 or OpKind.InsertMajority).ToDictionary(o => o.Value!);
        foreach (var op in inserts.Values)
        {
            var durable = op.Kind == OpKind.InsertMajority;
            CheckPresence(op, counts.GetValueOrDefault(op.Value!), durable, member.Member, $"insert {op.Value}", anomalies);
        }

        foreach (var value in counts.Keys.Where(v => !inserts.ContainsKey(v)))
        {
            anomalies.Add(new Anomaly(AnomalyKind.UnexpectedValue, $"inserts holds {value}, which no operation wrote", member.Member));
        }
    }

    private static void CheckRegisters(IReadOnlyList<Operation> history, MemberSnapshot member, List<Anomaly> anomalies)
    {
        var registers = member[Schema.Registers].ToDictionary(d => d["_id"].AsString);
        var pushes = history.Where(o => o.Kind == OpKind.RegisterPush).ToDictionary(o => o.Value!);
        foreach (var id in Schema.RegisterIds)
        {
            if (!registers.TryGetValue(id, out var register))
            {
                anomalies.Add(new Anomaly(AnomalyKind.BrokenInvariant, $"register {id} is missing", member.Member));
                continue;
            }

            var values = register["vals"].AsBsonArray.Select(v => v.AsString).ToList();
            var n = register["n"].ToInt64();
            if (n != values.Count)
            {
                // $inc and $push are one update: the counter must always equal the number of values.
                anomalies.Add(new Anomaly(
                    AnomalyKind.BrokenInvariant, $"register {id} has n={n} but {values.Count} values", member.Member));
            }

            var counts = values.GroupBy(v => v).ToDictionary(g => g.Key, g => g.Count());
            foreach (var op in pushes.Values.Where(o => o.Target == id))
            {
                CheckPresence(op, counts.GetValueOrDefault(op.Value!), durable: true, member.Member, $"push {op.Value} to {id}", anomalies);
            }

            foreach (var value in counts.Keys.Where(v => !pushes.TryGetValue(v, out var op) || op.Target != id))
            {
                anomalies.Add(new Anomaly(
                    AnomalyKind.UnexpectedValue, $"register {id} holds {value}, which no push to it wrote", member.Member));
            }
        }
    }

    private static void CheckTransfers(IReadOnlyList<Operation> history, MemberSnapshot member, List<Anomaly> anomalies)
    {
        var accounts = member[Schema.Accounts].ToDictionary(d => d["_id"].AsString);
        var records = member[Schema.Transfers].ToDictionary(d => d["_id"].AsString);
        var ops = history.Where(o => o.Kind == OpKind.Transfer).ToDictionary(o => o.Value!);

        // Every account's balance must follow from the transfers this member holds, and the total must not move.
        var expected = Schema.AccountIds.ToDictionary(id => id, _ => (long)Schema.InitialBalance);
        foreach (var record in records.Values)
        {
            var amount = record["amount"].ToInt64();
            var from = record["from"].AsString;
            var to = record["to"].AsString;
            expected[from] = expected.GetValueOrDefault(from) - amount;
            expected[to] = expected.GetValueOrDefault(to) + amount;
        }

        var total = accounts.Values.Sum(a => a["balance"].ToInt64());
        var wanted = (long)Schema.InitialBalance * Schema.AccountIds.Count;
        if (accounts.Count != Schema.AccountIds.Count || total != wanted)
        {
            anomalies.Add(new Anomaly(
                AnomalyKind.BrokenInvariant, $"{accounts.Count} accounts hold {total} in total, expected {wanted}", member.Member));
        }

        foreach (var (id, balance) in expected)
        {
            if (accounts.TryGetValue(id, out var account) && account["balance"].ToInt64() != balance)
            {
                anomalies.Add(new Anomaly(
                    AnomalyKind.BrokenInvariant,
                    $"account {id} holds {account["balance"]} but its transfers say {balance}", member.Member));
            }
        }

        // Atomicity: each transfer's record and its id on both accounts are all present, or none.
        var applied = accounts.Values
            .SelectMany(a => a["applied"].AsBsonArray.Select(v => (Txn: v.AsString, Account: a["_id"].AsString)))
            .ToLookup(x => x.Txn, x => x.Account);
        foreach (var txn in records.Keys.Union(applied.Select(g => g.Key)))
        {
            var on = applied[txn].ToList();
            ops.TryGetValue(txn, out var op);
            var ids = op is null ? null : new[] { op.Id };
            if (op is null)
            {
                anomalies.Add(new Anomaly(
                    AnomalyKind.UnexpectedValue, $"transfer {txn} is present but no operation wrote it", member.Member));
                continue;
            }

            var parts = (records.ContainsKey(txn) ? 1 : 0) + on.Distinct().Count(a => a == op.From || a == op.To);
            if (parts != 3 || on.Count != on.Distinct().Count() || on.Any(a => a != op.From && a != op.To))
            {
                var record = records.ContainsKey(txn) ? "present" : "missing";
                anomalies.Add(new Anomaly(
                    AnomalyKind.NonAtomicTransaction,
                    $"transfer {txn}: record {record}, id on accounts [{string.Join(",", on)}]; {op}", member.Member, ids));
            }
        }

        foreach (var op in ops.Values)
        {
            var present = records.ContainsKey(op.Value!) || applied.Contains(op.Value!);
            CheckPresence(op, present ? 1 : 0, durable: true, member.Member, $"transfer {op.Value}", anomalies);
        }
    }

    /// <summary>
    /// Loans against copies: on every member each book's available count is its copies minus its active loans and never
    /// negative (the sample's orphaned loan breaks exactly this), every borrow is present as its outcome allows, and a
    /// loan is inactive if a return of it was acknowledged and still active if every return of it failed.
    /// </summary>
    private static void CheckLoans(IReadOnlyList<Operation> history, MemberSnapshot member, List<Anomaly> anomalies)
    {
        var loans = member[Schema.Loans].ToDictionary(d => d["_id"].AsString);
        foreach (var book in member[Schema.Books])
        {
            var id = book["_id"].AsString;
            var copies = book["copies"].ToInt32();
            var available = book["available"].ToInt32();
            var active = loans.Values.Count(l => l["book"].AsString == id && l["active"].ToBoolean());
            if (available < 0 || available != copies - active)
            {
                anomalies.Add(new Anomaly(
                    AnomalyKind.BrokenInvariant,
                    $"book {id}: available {available}, copies {copies}, active loans {active} (available must be copies - active loans)",
                    member.Member));
            }
        }

        var borrows = history.Where(o => o.Kind is OpKind.Borrow or OpKind.ProviderBorrow).ToDictionary(o => o.Value!);
        foreach (var op in borrows.Values)
        {
            CheckPresence(op, loans.ContainsKey(op.Value!) ? 1 : 0, durable: true, member.Member, $"loan {op.Value}", anomalies);
        }

        foreach (var loan in loans.Keys.Where(l => !borrows.ContainsKey(l)))
        {
            anomalies.Add(new Anomaly(AnomalyKind.UnexpectedValue, $"loan {loan} is present but no borrow wrote it", member.Member));
        }

        foreach (var returns in history.Where(o => o.Kind == OpKind.Return).GroupBy(o => o.Value!))
        {
            if (!loans.TryGetValue(returns.Key, out var loan))
            {
                continue; // A missing loan is the borrow's anomaly, reported above.
            }

            var isActive = loan["active"].ToBoolean();
            var ids = returns.Select(r => r.Id).ToList();
            if (isActive && returns.FirstOrDefault(r => r.Outcome == Outcome.Ok) is { } acknowledged)
            {
                anomalies.Add(new Anomaly(
                    AnomalyKind.LostWrite,
                    $"loan {returns.Key} is still active after an acknowledged return; {acknowledged}",
                    member.Member,
                    ids));
            }
            else if (!isActive && returns.All(r => r.Outcome == Outcome.Fail))
            {
                anomalies.Add(new Anomaly(
                    AnomalyKind.FailedButPresent, $"loan {returns.Key} was returned though every return of it failed", member.Member, ids));
            }
        }
    }

    /// <summary>
    /// Read-your-writes: a majority read must see every value its client's earlier w:majority writes to that target
    /// were acknowledged for. A local read is not held to it: under a partition a stale primary may answer it (the
    /// manual gives local reads no read-your-writes guarantee), so its misses are only counted in the observations.
    /// Monotonic reads: a majority read must see every value an earlier majority read of its session saw.
    /// </summary>
    private static void CheckReads(IReadOnlyList<Operation> history, List<Anomaly> anomalies)
    {
        foreach (var (read, write) in MissedOwnWrites(history).Where(m => m.Read.ReadConcern == "majority"))
        {
            anomalies.Add(new Anomaly(
                AnomalyKind.StaleRead,
                $"read missed {write.Value}, acknowledged earlier in its session; read: {read}; write: {write}",
                null,
                [write.Id, read.Id]));
        }

        foreach (var client in history.GroupBy(o => o.Client))
        {
            var majoritySeen = new Dictionary<string, (HashSet<string> Values, Dictionary<string, long> By)>();
            foreach (var op in Reads(client).Where(r => r.ReadConcern == "majority"))
            {
                var seen = op.Seen!.ToHashSet();
                if (!majoritySeen.TryGetValue(op.Target!, out var earlier))
                {
                    earlier = ([], []);
                    majoritySeen[op.Target!] = earlier;
                }

                foreach (var value in earlier.Values.Where(v => !seen.Contains(v)))
                {
                    var before = earlier.By[value];
                    anomalies.Add(new Anomaly(
                        AnomalyKind.NonMonotonicRead,
                        $"read no longer sees {value}, which the session's majority read {before} saw; read: {op}",
                        null,
                        [before, op.Id]));
                }

                foreach (var value in seen.Where(earlier.Values.Add))
                {
                    earlier.By[value] = op.Id;
                }
            }
        }
    }

    private static IEnumerable<Operation> Reads(IEnumerable<Operation> ops) =>
        ops.Where(o => o.Kind == OpKind.Read && o.Outcome == Outcome.Ok).OrderBy(o => o.Invoked).ThenBy(o => o.Id);

    /// <summary>Each successful read paired with each acknowledged w:majority write of its client it did not see.</summary>
    private static IEnumerable<(Operation Read, Operation Write)> MissedOwnWrites(IReadOnlyList<Operation> history)
    {
        foreach (var client in history.GroupBy(o => o.Client))
        {
            var acknowledged = new Dictionary<string, List<Operation>>();
            foreach (var op in client.OrderBy(o => o.Invoked).ThenBy(o => o.Id))
            {
                if (op.Outcome == Outcome.Ok && op.Kind is OpKind.InsertMajority or OpKind.RegisterPush)
                {
                    Add(acknowledged, op.Kind == OpKind.InsertMajority ? Schema.Inserts : op.Target!, op);
                }

                if (op.Kind != OpKind.Read || op.Outcome != Outcome.Ok)
                {
                    continue;
                }

                var seen = op.Seen!.ToHashSet();
                foreach (var write in (acknowledged.GetValueOrDefault(op.Target!) ?? []).Where(w => !seen.Contains(w.Value!)))
                {
                    yield return (op, write);
                }
            }
        }
    }

    private static void Add(Dictionary<string, List<Operation>> map, string key, Operation op)
    {
        if (!map.TryGetValue(key, out var list))
        {
            list = [];
            map[key] = list;
        }

        list.Add(op);
    }
}
