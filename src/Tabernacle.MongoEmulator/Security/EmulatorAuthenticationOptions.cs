namespace Tabernacle.MongoEmulator;

/// <summary>
/// Turns on authentication for an emulated replica set: every command except the handshake and a few others then needs a
/// connection authenticated as one of <see cref="Users"/> with SCRAM-SHA-256 or SCRAM-SHA-1, as on a <c>mongod</c>
/// started with <c>--auth</c>. Set it on <see cref="ReplicaSetEmulatorOptions.Authentication"/>; leave that <c>null</c>
/// (the default) to run without authentication.
/// </summary>
/// <example>
/// <code>
/// var options = new ReplicaSetEmulatorOptions
/// {
///     Authentication = new EmulatorAuthenticationOptions { Users = { new EmulatorUser("app", "secret", "admin") } },
/// };
/// await using var rs = await MongoReplicaSetEmulator.StartAsync(options);
/// var client = new MongoClient(rs.GetConnectionString("app", "secret"));
/// </code>
/// </example>
/// <remarks>
/// The emulator authenticates but does not authorize: an authenticated user may run every command on every database
/// (roles are not modelled). Passwords are kept only as SCRAM keys; see <see cref="EmulatorUser"/>.
/// </remarks>
public sealed class EmulatorAuthenticationOptions
{
    /// <summary>The users clients may authenticate as; at least one is required. A user's name is unique within its database.</summary>
    public IList<EmulatorUser> Users { get; } = new List<EmulatorUser>();
}
