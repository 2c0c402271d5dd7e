using Xunit.Abstractions;

namespace Tabernacle.MongoEmulator.Tests.Properties;

/// <summary>
/// The write-concern invariant, against random schedules of writes and faults (pauses, step-downs, stops and restarts,
/// partitions). A failure shrinks to a minimal schedule and prints its seed; <c>TABERNACLE_PROPERTY_SEED=&lt;seed&gt;</c>
/// replays it, and <c>TABERNACLE_PROPERTY_ITER</c> changes how many schedules each property runs.
/// </summary>
public sealed class WriteConcernProperties(ITestOutputHelper output)
{
    [Fact]
    public Task Writes_acknowledged_by_a_majority_are_on_every_member_exactly_once_after_healing() =>
        PropertyRun.CheckAsync(output, history =>
        {
            var durable = history.Writes.Where(w => w.Outcome == WriteOutcome.Acknowledged && ScheduleRunner.ImpliesMajority(w.Kind));
            foreach (var write in durable)
            {
                foreach (var member in history.Members)
                {
                    var copies = member.Ops.Count(op => op == write.Op);
                    Check(copies == 1, $"acknowledged {write.Kind} write #{write.Op} is on m{member.Id} {copies} times", history);
                }
            }

            var violations = string.Join("; ", history.InvariantViolations);
            Check(history.InvariantViolations.Count == 0, $"invariant violations: {violations}", history);
        });

    [Fact]
    public Task Writes_acknowledged_with_w_N_or_a_tagged_mode_were_on_that_many_members_when_acknowledged() =>
        PropertyRun.CheckAsync(output, history =>
        {
            foreach (var write in history.Writes.Where(w => w.Outcome == WriteOutcome.Acknowledged))
            {
                var required = ScheduleRunner.RequiredHolders(write.Kind);
                var holders = write.HoldersAtAck.Count;
                Check(holders >= required, $"{write.Kind} write #{write.Op} acknowledged with {holders} holders", history);
                if (write.Kind == WriteKind.TwoDCs)
                {
                    var dcs = write.DcsAtAck.Distinct(StringComparer.Ordinal).Count();
                    Check(dcs >= 2, $"twoDCs write #{write.Op} acknowledged by members in {dcs} data centre(s)", history);
                }
            }
        });

    [Fact]
    public Task Acknowledged_w1_writes_lost_in_failover_are_in_a_rollback_and_members_converge() =>
        PropertyRun.CheckAsync(output, history =>
        {
            var primary = history.Members.Single(m => m.IsPrimary);
            foreach (var write in history.Writes.Where(w => w.Outcome == WriteOutcome.Acknowledged && !primary.Ops.Contains(w.Op)))
            {
                Check(write.Kind == WriteKind.W1, $"acknowledged {write.Kind} write #{write.Op} was lost", history);
                // The member that acknowledged it held it, and only a rollback takes a document away from a member.
                Check(
                    history.Members[write.SentTo].RolledBackOps.Contains(write.Op),
                    $"lost w:1 write #{write.Op} is not in the rolled-back documents of m{write.SentTo}, which acknowledged it",
                    history);
            }

            foreach (var member in history.Members)
            {
                var same = member.Ops.Order().SequenceEqual(primary.Ops.Order());
                Check(same, $"m{member.Id} differs from the primary m{primary.Id}", history);
            }
        });

    private static void Check(bool condition, string because, ScheduleHistory history)
    {
        if (!condition)
        {
            throw new InvalidOperationException($"{because}. History: {history}");
        }
    }
}
