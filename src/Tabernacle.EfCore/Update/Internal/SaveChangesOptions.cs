using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using MongoDB.Driver;
using Tabernacle.EfCore.Metadata.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// The write concern of the next SaveChanges, as chosen by <c>SaveChangesAsync(writeConcern)</c>; and the rules that
/// pick the effective one: the save's, else the strongest entity-level one among the written types, else the context's.
/// </summary>
internal sealed class SaveChangesOptions
{
    /// <summary>The write concern the caller passed for the save in progress (cleared when the save ends).</summary>
    public WriteConcern? Requested { get; set; }

    /// <summary>
    /// Set by <c>EnableRetryOnFailure</c>'s strategy while it replays a unit whose previous attempt failed with a transient
    /// error: that attempt's writes may have landed (the server applied them, the answer was lost), so a replayed insert may
    /// find its own document. Cleared when the strategy starts a new unit.
    /// </summary>
    public bool Replaying { get; set; }

    /// <summary>Takes the effective save-or-entity write concern for <paramref name="plan"/>, checking the rules of unacknowledged writes.</summary>
    public WriteConcern? Consume(IReadOnlyList<SaveOperation> plan)
    {
        var concern = Requested ?? Strongest(plan.Select(o => o.Entry.EntityType).Distinct().Select(EntityWriteConcern).OfType<WriteConcern>());
        if (concern is { IsAcknowledged: false })
        {
            foreach (var operation in plan)
            {
                var entityType = operation.Entry.EntityType;
                if (entityType.GetProperties().Any(p => p.IsConcurrencyToken))
                {
                    throw new InvalidOperationException($"'{entityType.DisplayName()}' has concurrency tokens, which need the server's answer to be checked; an unacknowledged write concern (w:0) gives none. Save it with w:1 or stronger.");
                }

                if (entityType.GetProperties().Any(p => p.ValueGenerated != ValueGenerated.Never && !p.IsPrimaryKey() && SaveOperation.IsRowVersion(p)))
                {
                    throw new InvalidOperationException($"'{entityType.DisplayName()}' has store-generated values that need the server's answer; an unacknowledged write concern (w:0) gives none. Save it with w:1 or stronger.");
                }
            }
        }

        return concern;
    }

    public static WriteConcern? EntityWriteConcern(IReadOnlyEntityType entityType)
    {
        for (var type = entityType; type is not null; type = type.BaseType)
        {
            if (type[TabernacleAnnotationNames.WriteConcern] is WriteConcern concern)
            {
                return concern;
            }
        }

        return null;
    }

    private static WriteConcern? Strongest(IEnumerable<WriteConcern> concerns)
    {
        WriteConcern? best = null;
        foreach (var concern in concerns)
        {
            if (best is null || Rank(concern) > Rank(best))
            {
                best = concern;
            }
        }

        return best;
    }

    private static int Rank(WriteConcern concern) => concern.W switch
    {
        WriteConcern.WMode { Value: "majority" } => int.MaxValue,
        WriteConcern.WCount count => count.Value,
        null => 1,
        _ => 1,
    };
}
