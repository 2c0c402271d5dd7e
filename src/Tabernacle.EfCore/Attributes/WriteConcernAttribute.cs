using MongoDB.Driver;

namespace Tabernacle.EfCore;

/// <summary>
/// The write concern saves of this entity type use unless the save chooses one (<c>SaveChangesAsync(writeConcern)</c>).
/// When one save writes several types, the strongest of their effective write concerns applies (a type without its own
/// counts with the context's default), so a weaker one here never weakens the others.
/// </summary>
/// <example><code>[WriteConcern("majority", WTimeoutMs = 5000)] public class Order { ... }</code></example>
[AttributeUsage(AttributeTargets.Class, Inherited = true, AllowMultiple = false)]
public sealed class WriteConcernAttribute : Attribute
{
    /// <summary>Acknowledgement by <paramref name="w"/> members: "majority", or a number such as "1" or "0".</summary>
    public WriteConcernAttribute(string w)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(w);
        W = w;
    }

    /// <summary>Acknowledgement by <paramref name="w"/> members (0 = unacknowledged).</summary>
    public WriteConcernAttribute(int w) => W = w.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>"majority" or a number of members.</summary>
    public string W { get; }

    /// <summary>How long to wait for the acknowledgement, in milliseconds (0: no limit).</summary>
    public int WTimeoutMs { get; set; }

    /// <summary>Whether the write must reach the journal.</summary>
    public bool Journal { get; set; }

    /// <summary>The driver's write concern these settings describe.</summary>
    public WriteConcern ToWriteConcern()
    {
        WriteConcern.WValue w =
            int.TryParse(W, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var count)
            ? new WriteConcern.WCount(count)
            : new WriteConcern.WMode(W);
        return new WriteConcern(w, WTimeoutMs > 0 ? TimeSpan.FromMilliseconds(WTimeoutMs) : null, journal: Journal ? true : null);
    }
}
