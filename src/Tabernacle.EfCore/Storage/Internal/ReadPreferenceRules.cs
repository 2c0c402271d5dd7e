using MongoDB.Driver;

namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>MongoDB's rules for read preferences, checked before anything is sent.</summary>
internal static class ReadPreferenceRules
{
    /// <summary>MongoDB's minimum <c>maxStalenessSeconds</c>: 90 seconds (the server selection specification's smallest allowed
    /// value).</summary>
    public static readonly TimeSpan MinimumMaxStaleness = TimeSpan.FromSeconds(90);

    /// <summary>Throws <see cref="ArgumentException"/> naming MongoDB's rule when <paramref name="readPreference"/> breaks one.</summary>
    public static void Validate(ReadPreference readPreference)
    {
        if (readPreference.ReadPreferenceMode == ReadPreferenceMode.Primary)
        {
            if (readPreference.TagSets.Any(t => t.Tags.Count > 0))
            {
                throw new ArgumentException(
                    "A 'primary' read preference cannot have tag sets: MongoDB only applies tag sets to modes that may read from " +
                        "secondaries. Use primaryPreferred, secondary, secondaryPreferred or nearest.", nameof(readPreference));
            }

            if (readPreference.MaxStaleness is not null)
            {
                throw new ArgumentException(
                    "A 'primary' read preference cannot have maxStaleness: MongoDB only applies it to modes that may read from secondaries.", nameof(readPreference));
            }
        }

        if (readPreference.MaxStaleness is { } staleness && staleness != Timeout.InfiniteTimeSpan && staleness < MinimumMaxStaleness)
        {
            throw new ArgumentException(
                $"maxStaleness must be at least 90 seconds (MongoDB's minimum); {staleness.TotalSeconds} seconds was given.",
                    nameof(readPreference));
        }
    }
}
