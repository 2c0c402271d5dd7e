using System.Diagnostics;

namespace Tabernacle.EfCore.Diagnostics.Internal;

/// <summary>The provider's OpenTelemetry source: one activity per MongoDB command, with database semantic-convention tags.</summary>
internal static class TabernacleDiagnostics
{
    public const string ActivitySourceName = "Tabernacle.EfCore";

    public static readonly ActivitySource ActivitySource = new(ActivitySourceName, typeof(TabernacleDiagnostics).Assembly.GetName().Version?.ToString());
}
