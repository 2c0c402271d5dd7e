using Microsoft.Extensions.DependencyInjection;

namespace Tabernacle.EfCore.Tests.Conventions;

/// <summary>A <see cref="TimeProvider"/> that shows the time it is told to, for timestamp tests.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = start;

    public override DateTimeOffset GetUtcNow() => Now;

    public void Advance(TimeSpan by) => Now += by;

    /// <summary>An application service provider holding this clock, for <c>UseApplicationServiceProvider</c>.</summary>
    public IServiceProvider AsServices() => new ServiceCollection().AddSingleton<TimeProvider>(this).BuildServiceProvider();
}
