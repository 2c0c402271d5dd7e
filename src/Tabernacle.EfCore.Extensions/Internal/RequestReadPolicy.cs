using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using MongoDB.Driver;

namespace Tabernacle.EfCore.Extensions.Internal;

/// <summary>Applies a read preference to every Tabernacle context of the request's services, and undoes it.</summary>
internal static class RequestReadPolicy
{
    public static IDisposable Apply(IServiceProvider requestServices, ReadPreference readPreference)
    {
        var registry = requestServices.GetService<TabernacleContextRegistry>()
            ?? throw new InvalidOperationException(
                "WithReadPreference and [ReadPreference] need a context registered with services.AddTabernacle<TContext>(...).");
        var scopes = new List<IDisposable>(registry.ContextTypes.Count);
        foreach (var type in registry.ContextTypes)
        {
            var context = (DbContext)requestServices.GetRequiredService(type);
            scopes.Add(context.Database.UseDefaultReadPreference(readPreference));
        }

        return new Scopes(scopes);
    }

    private sealed class Scopes(List<IDisposable> scopes) : IDisposable
    {
        public void Dispose()
        {
            for (var i = scopes.Count - 1; i >= 0; i--)
            {
                scopes[i].Dispose();
            }
        }
    }
}

/// <summary>The endpoint filter behind <c>WithReadPreference</c>: the policy holds while the handler runs.</summary>
internal sealed class ReadPreferenceEndpointFilter(ReadPreference readPreference) : Microsoft.AspNetCore.Http.IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(Microsoft.AspNetCore.Http.EndpointFilterInvocationContext context,
        Microsoft.AspNetCore.Http.EndpointFilterDelegate next)
    {
        using var scope = RequestReadPolicy.Apply(context.HttpContext.RequestServices, readPreference);
        return await next(context).ConfigureAwait(false);
    }
}
