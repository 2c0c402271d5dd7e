using System.Security.Cryptography;

namespace Tabernacle.MongoEmulator.Security;

/// <summary>
/// The users of one replica set, by database and name, shared by all its members (users are replicated data on a real
/// set; here every member reads the same store). Present only when authentication is on.
/// </summary>
internal sealed class CredentialStore
{
    private readonly Dictionary<(string Database, string Name), EmulatorUser> _users = [];

    // Salts of decoy credentials for unknown users derive from this, so they are stable within a process but unguessable.
    private readonly byte[] _decoySecret = RandomNumberGenerator.GetBytes(32);

    public CredentialStore(IEnumerable<EmulatorUser> users)
    {
        foreach (var user in users)
        {
            if (!_users.TryAdd((user.Database, user.Name), user))
            {
                throw new ArgumentException($"User '{user.Name}' is defined twice in database '{user.Database}'.", nameof(users));
            }
        }

        if (_users.Count == 0)
        {
            throw new ArgumentException(
                "Authentication is on but no user is defined: add one to Authentication.Users, for example new EmulatorUser(\"app\", " +
                    "\"secret\", \"admin\").", nameof(users));
        }
    }

    public EmulatorUser? Find(string database, string name) => _users.GetValueOrDefault((database, name));

    /// <summary>
    /// The credential to run a SCRAM conversation with: the user's own, or a decoy when the user does not exist or has
    /// no credential for the mechanism, so that the conversation fails only at the proof, as for a wrong password.
    /// </summary>
    public ScramCredential CredentialFor(ScramAlgorithm algorithm, string database, string name) =>
        Find(database, name)?.GetCredential(algorithm.Mechanism) ?? ScramCredential.Decoy(algorithm, _decoySecret, database, name);

    /// <summary>
    /// The mechanisms for <c>hello.saslSupportedMechs</c>. An unknown user gets both SCRAM mechanisms, the default for
    /// a user, so the answer does not tell whether the user exists (mongod omits the field instead).
    /// </summary>
    public IReadOnlyList<string> SupportedMechanisms(string database, string name) =>
        Find(database, name) is { } user
            ? user.Mechanisms.Select(m => ScramAlgorithm.For(m).Name).ToList()
            : [ScramAlgorithm.Sha1.Name, ScramAlgorithm.Sha256.Name];
}
