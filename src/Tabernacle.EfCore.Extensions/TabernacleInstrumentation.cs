using Tabernacle.EfCore.Diagnostics.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary>
/// The names to register with OpenTelemetry: <c>tracing.AddSource(TabernacleInstrumentation.ActivitySourceName)</c> and
/// <c>metrics.AddMeter(TabernacleInstrumentation.MeterName)</c>. The provider itself has the same two names in
/// <see cref="Tabernacle.EfCore.Diagnostics.TabernacleTelemetry"/>, for apps without ASP.NET Core.
/// </summary>
public static class TabernacleInstrumentation
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> with one client activity per MongoDB command.</summary>
    public const string ActivitySourceName = Tabernacle.EfCore.Diagnostics.TabernacleTelemetry.ActivitySourceName;

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of the provider.</summary>
    public const string MeterName = Tabernacle.EfCore.Diagnostics.TabernacleTelemetry.MeterName;

    /// <summary>The counter of reads served, tagged with <see cref="ServerTagName"/> and <see cref="ReadPreferenceTagName"/>.</summary>
    public const string ReadsInstrumentName = TabernacleDiagnostics.ReadsInstrumentName;

    /// <summary>
    /// The counter of reads off the primary that found no member at the session's cluster time within the causal read
    /// timeout, tagged with <see cref="ReadPreferenceTagName"/> and <see cref="OutcomeTagName"/>.
    /// </summary>
    public const string CausalReadFallbacksInstrumentName = TabernacleDiagnostics.CausalReadFallbacksInstrumentName;

    /// <summary>
    /// The tag saying what became of such a read: <c>primary</c> (it went there) or <c>failed</c> (its read preference
    /// forbids it).
    /// </summary>
    public const string OutcomeTagName = TabernacleDiagnostics.OutcomeTag;

    /// <summary>The tag naming the member that served a read (<c>host:port</c>).</summary>
    public const string ServerTagName = TabernacleDiagnostics.ServerTag;

    /// <summary>The tag naming the effective read preference mode of a read (<c>Primary</c>, <c>Secondary</c>...).</summary>
    public const string ReadPreferenceTagName = TabernacleDiagnostics.ReadPreferenceTag;
}
