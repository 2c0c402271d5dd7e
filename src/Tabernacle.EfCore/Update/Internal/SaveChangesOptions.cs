using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using MongoDB.Driver;
using Tabernacle.EfCore.Metadata.Internal;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// The write concern of the next SaveChanges, as chosen by <c>SaveChangesAsync(writeConcern)</c>; and the rules that
/// pick the effective one: the save's, else the strongest entity-level one among the written types, else the context's.
/// </summary>
internal sealed class SaveChangesOptions(ExecutionAttempt attempt)
{
    /// <summary>The write concern the caller passed for the save in progress (cleared when the save ends).</summary>
    public WriteConcern? Requested { get; set; }

    /// <summary>
    /// Whether <c>EnableRetryOnFailure</c>'s strategy is replaying a unit whose previous attempt failed with a transient
    /// error (<see cref="ExecutionAttempt.IsRetry"/>): that attempt's writes may have landed, so a replayed insert may find
    /// its own document.
    /// </summary>
    public bool Replaying => attempt.IsRetry;

    /// <summary>
    /// Takes the effective write concern of a save of <paramref name="plan"/>, checking the rules of unacknowledged writes.
    /// The save's own (<c>SaveChangesAsync(writeConcern)</c>) wins outright. Otherwise each written entity type's effective
    /// concern is its own (<c>[WriteConcern]</c>/<c>HasWriteConcern</c>), else <paramref name="contextDefault"/> (the options
    /// builder's default, else the connection string's), and the save uses the strongest of them (<see cref="Strongest"/>):
    /// one weak entity type, an audit entry at w:1 say, must not weaken the others silently.
    /// </summary>
    public WriteConcern Consume(IReadOnlyList<SaveOperation> plan, WriteConcern contextDefault)
    {
        var concern = Requested
            ?? Strongest(plan.Select(o => o.Entry.EntityType).Distinct().Select(t => EntityWriteConcern(t) ?? contextDefault));
        if (!concern.IsAcknowledged)
        {
            foreach (var operation in plan)
            {
                var entityType = operation.Entry.EntityType;
                if (entityType.GetProperties().Any(p => p.IsConcurrencyToken))
                {
                    throw new InvalidOperationException(
                        $"'{entityType.DisplayName()}' has concurrency tokens, which need the server's answer to be checked; an " +
                            $"unacknowledged write concern (w:0) gives none. Save it with w:1 or stronger.");
                }

                if (entityType.GetProperties().Any(p =>
                    p.ValueGenerated != ValueGenerated.Never && !p.IsPrimaryKey() && SaveOperation.IsRowVersion(p)))
                {
                    throw new InvalidOperationException(
                        $"'{entityType.DisplayName()}' has store-generated values that need the server's answer; an unacknowledged write " +
                            $"concern (w:0) gives none. Save it with w:1 or stronger.");
                }
            }
        }

        return concern;
    }

    /// <summary>Whether the save itself or one of the written entity types asks for w:0 (rather than a context default).</summary>
    public bool ExplicitlyUnacknowledged(IReadOnlyList<SaveOperation> plan) =>
        Requested is { IsAcknowledged: false }
        || (Requested is null && plan.Any(o => EntityWriteConcern(o.Entry.EntityType) is { IsAcknowledged: false }));

    /// <summary>The entity type's own write concern, inherited from its base types (see <c>GetWriteConcern</c>).</summary>
    public static WriteConcern? EntityWriteConcern(IReadOnlyEntityType entityType) => entityType.GetWriteConcern();

    /// <summary>
    /// The strongest of <paramref name="concerns"/>, one setting at a time, so that the result asks for at least as much as
    /// each of them:
    /// <list type="bullet">
    /// <item><c>w</c>: <c>majority</c> beats everything; a tag-set mode (a custom <c>getLastErrorModes</c> name) cannot be
    /// compared with a number, so it beats numbers and an unset <c>w</c>, and of two different tag modes the first one met
    /// is kept (MongoDB cannot ask for both); an unset <c>w</c> (the server's default write concern, majority since
    /// MongoDB 5.0) beats any number, since the provider cannot know that default is weaker; a larger number beats a smaller.</item>
    /// <item><c>j</c> and <c>fsync</c>: true if any asks for it.</item>
    /// <item><c>wtimeout</c>: the longest, and no limit if any has none, so that no concern is given up on sooner than it
    /// asked for.</item>
    /// </list>
    /// </summary>
    internal static WriteConcern Strongest(IEnumerable<WriteConcern> concerns)
    {
        WriteConcern? best = null;
        foreach (var concern in concerns)
        {
            best = best is null ? concern : Stronger(best, concern);
        }

        return best ?? WriteConcern.Acknowledged;
    }

    private static WriteConcern Stronger(WriteConcern a, WriteConcern b)
    {
        var moreMembers = b.W is WriteConcern.WCount cb && a.W is WriteConcern.WCount ca && cb.Value > ca.Value;
        var w = Rank(b.W) > Rank(a.W) || moreMembers ? b.W : a.W;
        var timeout = a.WTimeout is { } ta && b.WTimeout is { } tb ? (ta >= tb ? ta : tb) : (TimeSpan?)null;
        var journal = a.Journal == true || b.Journal == true ? true : a.Journal ?? b.Journal;
        var fsync = a.FSync == true || b.FSync == true ? true : a.FSync ?? b.FSync;
        return new WriteConcern(w, timeout, fsync, journal);
    }

    // The classes of w, weakest first; numbers are then compared by value.
    private static int Rank(WriteConcern.WValue? w) => w switch
    {
        WriteConcern.WCount => 0,
        null => 1,
        WriteConcern.WMode { Value: "majority" } => 3,
        _ => 2,
    };
}
