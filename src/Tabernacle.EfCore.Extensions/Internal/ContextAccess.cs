using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>The client and database a Tabernacle context uses (for tests and diagnostics).</summary>
internal static class ContextAccess
{
    public static IMongoClient ClientOf(DbContext context) => context.GetService<TabernacleClientWrapper>().Client;

    public static string DatabaseNameOf(DbContext context) => context.GetService<TabernacleClientWrapper>().DatabaseName;
}
