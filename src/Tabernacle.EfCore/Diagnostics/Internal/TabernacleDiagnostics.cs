using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Tabernacle.EfCore.Diagnostics.Internal;

/// <summary>
/// The provider's OpenTelemetry names: one activity per MongoDB command, with database semantic-convention tags, and a
/// meter counting reads per member that served them and per effective read preference.
/// </summary>
internal static class TabernacleDiagnostics
{
    public const string ActivitySourceName = "Tabernacle.EfCore";

    public const string MeterName = "Tabernacle.EfCore";

    /// <summary>The name of the reads counter.</summary>
    public const string ReadsInstrumentName = "tabernacle.reads";

    /// <summary>The name of the counter of reads that waited too long for a secondary and went to the primary (or failed).</summary>
    public const string CausalReadFallbacksInstrumentName = "tabernacle.reads.causal_fallbacks";

    /// <summary>Tag: the member that answered, <c>host:port</c>.</summary>
    public const string ServerTag = "tabernacle.server";

    /// <summary>Tag: the effective read preference mode of the read.</summary>
    public const string ReadPreferenceTag = "tabernacle.read_preference";

    private static readonly string? Version = typeof(TabernacleDiagnostics).Assembly.GetName().Version?.ToString();

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName, Version);

    public static readonly Meter Meter = new(MeterName, Version);

    public static readonly Counter<long> Reads = Meter.CreateCounter<long>(
        ReadsInstrumentName,
        unit: "{read}",
        description: "Reads (find and aggregate commands) served, by member and by effective read preference.");

    public static readonly Counter<long> CausalReadFallbacks = Meter.CreateCounter<long>(
        CausalReadFallbacksInstrumentName,
        unit: "{read}",
        description: "Reads off the primary that ran out of their wait for the session's cluster time, by outcome (primary or failed).");

    /// <summary>Tag: what became of a read that ran out of its causal wait (<c>primary</c> or <c>failed</c>).</summary>
    public const string OutcomeTag = "tabernacle.outcome";
}
