namespace Tabernacle.EfCore;

/// <summary>
/// Sets a <see cref="DateTime"/> or <see cref="DateTimeOffset"/> property to the current UTC time, truncated to
/// milliseconds, when the entity is inserted, unless the application assigned a value itself (an import keeping its
/// original creation time). The provider never changes it afterwards. The fluent equivalent is <c>IsAutoNowAdd()</c>.
/// </summary>
/// <remarks>The time comes from the <see cref="TimeProvider"/> registered in the application's services, or <see
/// cref="TimeProvider.System"/>.</remarks>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Field, AllowMultiple = false)]
public sealed class AutoNowAddAttribute : Attribute;
