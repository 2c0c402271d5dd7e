using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Tabernacle.EfCore.Diagnostics.Internal;

/// <summary>
/// Hands the provider's command lines to the context's own logger, the one <c>LogTo</c> installs: EF routes only
/// events (with an event definition) there, not messages written to the <see cref="ILogger"/> of its logger factory.
/// </summary>
internal static class CommandLogEvents
{
    public static void Log(IDiagnosticsLogger<DbLoggerCategory.Database.Command> logger, EventId eventId, LogLevel level, string message)
    {
        // The definition names the event and its level for LogTo's filters; the text is already formatted (and redacted).
        var code = eventId.Name ?? eventId.Id.ToString(CultureInfo.InvariantCulture);
        var definition =
            new EventDefinition(logger.Options, eventId, level, code, l => LoggerMessage.Define(l, eventId, "Tabernacle command"));
        logger.DbContextLogger.Log(new EventData(definition, (_, _) => message));
    }
}
