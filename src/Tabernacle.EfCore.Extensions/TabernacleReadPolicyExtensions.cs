using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary>Changes a context instance's default read preference for a while (what the per-endpoint read policy uses).</summary>
public static class TabernacleReadPolicyExtensions
{
    /// <summary>
    /// Makes <paramref name="readPreference"/> the default read preference of this context instance until the returned
    /// scope is disposed, which restores the previous default. Queries with their own <c>WithReadPreference</c> still
    /// win; writes always go to the primary; scopes nest (dispose them in reverse order).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="readPreference"/> breaks one of MongoDB's rules (tag sets or maxStaleness with
    /// primary, maxStaleness under 90 s).</exception>
    public static IDisposable UseDefaultReadPreference(this DatabaseFacade database, ReadPreference readPreference)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(readPreference);
        ReadPreferenceRules.Validate(readPreference);
        var client = Client(database);
        var scope = new ReadPreferenceScope(client, client.DefaultReadPreferenceOverride);
        client.DefaultReadPreferenceOverride = readPreference;
        return scope;
    }

    /// <summary>
    /// The read preference a query of this context uses when it does not choose one: the current scope's, else the
    /// context's configured default, else the connection string's.
    /// </summary>
    public static ReadPreference GetDefaultReadPreference(this DatabaseFacade database)
    {
        ArgumentNullException.ThrowIfNull(database);
        return Client(database).EffectiveReadPreference(null);
    }

    private static TabernacleClientWrapper Client(DatabaseFacade database) =>
        ((IInfrastructure<IServiceProvider>)database).Instance.GetService(typeof(TabernacleClientWrapper)) as TabernacleClientWrapper
        ?? throw new InvalidOperationException(
            "This context does not use Tabernacle; call UseTabernacle (or AddTabernacle) when configuring it.");

    private sealed class ReadPreferenceScope(TabernacleClientWrapper client, ReadPreference? previous) : IDisposable
    {
        private bool _disposed;

        public void Dispose()
        {
            if (!_disposed)
            {
                _disposed = true;
                client.DefaultReadPreferenceOverride = previous;
            }
        }
    }
}
