using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Tabernacle.EfCore.Diagnostics.Internal;

/// <summary>EF Core's logging definitions for the provider (its messages are logged through <c>TabernacleEventId</c>).</summary>
internal sealed class TabernacleLoggingDefinitions : LoggingDefinitions
{
}
