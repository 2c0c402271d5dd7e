namespace Tabernacle.EfCore;

/// <summary>
/// Sets a <see cref="DateTime"/> or <see cref="DateTimeOffset"/> property to the current UTC time, truncated to
/// milliseconds, on every insert and every update: <c>SaveChanges</c> of an added or modified entity (or of one whose
/// embedded documents changed) and <c>ExecuteUpdate</c>. The fluent equivalent is <c>IsAutoNow()</c>.
/// </summary>
/// <remarks>The time comes from the <see cref="TimeProvider"/> registered in the application's services, or <see
/// cref="TimeProvider.System"/>.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class AutoNowAttribute : Attribute;
