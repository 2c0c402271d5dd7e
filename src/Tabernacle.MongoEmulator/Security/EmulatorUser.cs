using Tabernacle.MongoEmulator.Security;

namespace Tabernacle.MongoEmulator;

/// <summary>
/// A user of an emulated replica set with authentication on: a name, the database that holds it (the client's
/// <c>authSource</c>) and SCRAM credentials derived from its password.
/// </summary>
/// <remarks>
/// The constructor derives the SCRAM salted keys (StoredKey and ServerKey with a random salt; 15000 iterations for
/// SCRAM-SHA-256, 10000 for SCRAM-SHA-1, MongoDB's defaults) and keeps nothing else: the password is not stored, and
/// <see cref="ToString"/> shows only <c>name@database</c>. For SCRAM-SHA-256 the password is prepared with a simplified
/// SASLprep (RFC 4013): non-ASCII spaces become spaces, characters mapped to nothing are removed, then Unicode
/// normalisation form KC is applied; prohibited and bidirectional characters are not rejected.
/// </remarks>
public sealed class EmulatorUser
{
    private static readonly EmulatorAuthenticationMechanism[] s_allMechanisms =
        [EmulatorAuthenticationMechanism.ScramSha1, EmulatorAuthenticationMechanism.ScramSha256];

    private readonly Dictionary<EmulatorAuthenticationMechanism, ScramCredential> _credentials = [];

    /// <summary>Creates a user with both SCRAM-SHA-1 and SCRAM-SHA-256 credentials, as MongoDB's <c>createUser</c> does by
    /// default.</summary>
    /// <param name="name">The user name; not empty.</param>
    /// <param name="password">The password; not empty. It is turned into SCRAM keys at once and not kept.</param>
    /// <param name="database">The database the user belongs to, which clients name as <c>authSource</c>. Default <c>admin</c>.</param>
    /// <exception cref="ArgumentException">A value is empty, or the database name is not a valid MongoDB database name.</exception>
    public EmulatorUser(string name, string password, string database = "admin")
        : this(name, password, database, s_allMechanisms)
    {
    }

    /// <summary>Creates a user with credentials for the given mechanisms only.</summary>
    /// <param name="name">The user name; not empty.</param>
    /// <param name="password">The password; not empty. It is turned into SCRAM keys at once and not kept.</param>
    /// <param name="database">The database the user belongs to, which clients name as <c>authSource</c>.</param>
    /// <param name="mechanisms">The mechanisms the user may authenticate with; at least one.</param>
    /// <exception cref="ArgumentException">A value is empty, the database name is invalid, or no mechanism is given.</exception>
    public EmulatorUser(string name, string password, string database, IEnumerable<EmulatorAuthenticationMechanism> mechanisms)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentException.ThrowIfNullOrEmpty(database);
        ArgumentNullException.ThrowIfNull(mechanisms);
        if (database.IndexOfAny(['/', '\\', '.', ' ', '"', '$', '\0']) >= 0)
        {
            throw new ArgumentException($"'{database}' is not a valid database name.", nameof(database));
        }

        Name = name;
        Database = database;
        foreach (var mechanism in mechanisms.Distinct())
        {
            if (!Enum.IsDefined(mechanism))
            {
                throw new ArgumentException($"Unknown mechanism {mechanism}.", nameof(mechanisms));
            }

            _credentials[mechanism] = ScramCredential.Create(mechanism, name, password);
        }

        if (_credentials.Count == 0)
        {
            throw new ArgumentException("A user needs at least one authentication mechanism.", nameof(mechanisms));
        }

        Mechanisms = [.. _credentials.Keys.Order()];
    }

    /// <summary>The user name.</summary>
    public string Name { get; }

    /// <summary>The database the user belongs to (the client's <c>authSource</c>).</summary>
    public string Database { get; }

    /// <summary>The mechanisms the user may authenticate with.</summary>
    public IReadOnlyList<EmulatorAuthenticationMechanism> Mechanisms { get; }

    /// <summary>
    /// Whether the user holds MongoDB's <c>advanceClusterTime</c> privilege: its connections may gossip a <c>$clusterTime</c>
    /// that the set did not sign (still within <c>maxAcceptableLogicalClockDriftSecs</c> of the wall clock). MongoDB grants
    /// it to cluster members and administrators, not to application users. Default <c>false</c>: a time later than the
    /// set's own must carry the set's signature, or the command fails with KeyNotFound (211) or TimeProofMismatch (204).
    /// </summary>
    public bool MayAdvanceClusterTime { get; init; }

    internal ScramCredential? GetCredential(EmulatorAuthenticationMechanism mechanism) => _credentials.GetValueOrDefault(mechanism);

    /// <summary>Returns <c>name@database</c>; never the password or keys.</summary>
    public override string ToString() => $"{Name}@{Database}";
}
