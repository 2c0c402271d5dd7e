using Tabernacle.EfCore.Diagnostics.Internal;

namespace Tabernacle.EfCore.Diagnostics;

/// <summary>
/// The names to register with OpenTelemetry in any app that uses the provider, console apps included:
/// <c>tracing.AddSource(TabernacleTelemetry.ActivitySourceName)</c> (one client activity per MongoDB command) and
/// <c>metrics.AddMeter(TabernacleTelemetry.MeterName)</c> (reads served by member and read preference).
/// </summary>
public static class TabernacleTelemetry
{
    /// <summary>The <see cref="System.Diagnostics.ActivitySource"/> with one client activity per MongoDB command.</summary>
    public const string ActivitySourceName = TabernacleDiagnostics.ActivitySourceName;

    /// <summary>The <see cref="System.Diagnostics.Metrics.Meter"/> of the provider.</summary>
    public const string MeterName = TabernacleDiagnostics.MeterName;
}
