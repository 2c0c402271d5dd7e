using Tabernacle.MongoEmulator.Errors;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

internal static class AdminOnly
{
    /// <summary>Administrative commands run only against the admin database, as on mongod.</summary>
    public static void Require(CommandContext context)
    {
        if (context.Database != "admin")
        {
            throw new MongoErrorException(ErrorCodes.Unauthorized, $"{context.CommandName} may only be run against the admin database.");
        }
    }
}
