using Microsoft.AspNetCore.Mvc.Filters;
using MongoDB.Driver;
using Tabernacle.EfCore.Extensions.Internal;

namespace Tabernacle.EfCore.Extensions;

/// <summary>
/// The read preference of the Tabernacle contexts while a controller action runs: on a controller it applies to every
/// action, on an action it wins over the controller's. Writes still go to the primary; the previous default is
/// restored when the action has run.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class ReadPreferenceAttribute : Attribute, IAsyncActionFilter, IOrderedFilter, IReadPreferenceMetadata
{
    /// <summary>Reads with <paramref name="mode"/> during the action.</summary>
    public ReadPreferenceAttribute(ReadPreferenceMode mode) => Mode = mode;

    /// <summary>The read preference mode.</summary>
    public ReadPreferenceMode Mode { get; }

    /// <summary>The maximum staleness in seconds (at least 90; 0, the default, means none). Not allowed with <see
    /// cref="ReadPreferenceMode.Primary"/>.</summary>
    public int MaxStalenessSeconds { get; set; }

    /// <inheritdoc />
    public int Order { get; set; }

    /// <inheritdoc />
    public ReadPreference ReadPreference => MaxStalenessSeconds > 0
        ? new ReadPreference(Mode, maxStaleness: TimeSpan.FromSeconds(MaxStalenessSeconds))
        : new ReadPreference(Mode);

    /// <inheritdoc />
    public async Task OnActionExecutionAsync(ActionExecutingContext context, ActionExecutionDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        using var scope = RequestReadPolicy.Apply(context.HttpContext.RequestServices, ReadPreference);
        await next().ConfigureAwait(false);
    }
}

/// <summary>Endpoint metadata naming the read preference an endpoint's reads use.</summary>
public interface IReadPreferenceMetadata
{
    /// <summary>The read preference.</summary>
    ReadPreference ReadPreference { get; }
}

/// <summary><c>WithReadPreference</c> for minimal API endpoints and route groups.</summary>
public static class TabernacleEndpointConventionBuilderExtensions
{
    /// <summary>
    /// Reads of the Tabernacle contexts use <paramref name="mode"/> while this endpoint's handler runs (a route group
    /// passes it to its endpoints; an endpoint's own wins over its group's). Writes still go to the primary; the
    /// previous default is restored when the handler returns.
    /// </summary>
    public static TBuilder WithReadPreference<TBuilder>(this TBuilder builder, ReadPreferenceMode mode)
        where TBuilder : Microsoft.AspNetCore.Builder.IEndpointConventionBuilder =>
        builder.WithReadPreference(new ReadPreference(mode));

    /// <summary>Reads of the Tabernacle contexts use <paramref name="readPreference"/> (with its tag sets and max staleness) while this
    /// endpoint's handler runs.</summary>
    /// <exception cref="ArgumentException"><paramref name="readPreference"/> breaks one of MongoDB's rules.</exception>
    public static TBuilder WithReadPreference<TBuilder>(this TBuilder builder, ReadPreference readPreference)
        where TBuilder : Microsoft.AspNetCore.Builder.IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(readPreference);
        Tabernacle.EfCore.Storage.Internal.ReadPreferenceRules.Validate(readPreference);
        Microsoft.AspNetCore.Builder.RoutingEndpointConventionBuilderExtensions.WithMetadata(builder,
            new ReadPreferenceMetadata(readPreference));
        Microsoft.AspNetCore.Http.EndpointFilterExtensions.AddEndpointFilter(builder, new ReadPreferenceEndpointFilter(readPreference));
        return builder;
    }

    private sealed record ReadPreferenceMetadata(ReadPreference ReadPreference) : IReadPreferenceMetadata;
}
