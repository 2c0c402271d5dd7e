using System.Security.Cryptography;

namespace Tabernacle.MongoEmulator.Security;

/// <summary>
/// What a SCRAM server keeps of a password (RFC 5802 section 3): the salt, the iteration count, StoredKey = H(ClientKey)
/// and ServerKey. The password itself and ClientKey are never kept.
/// </summary>
internal sealed class ScramCredential
{
    private readonly byte[] _storedKey;
    private readonly byte[] _serverKey;

    private ScramCredential(ScramAlgorithm algorithm, byte[] salt, int iterations, byte[] storedKey, byte[] serverKey)
    {
        Algorithm = algorithm;
        Salt = salt;
        Iterations = iterations;
        _storedKey = storedKey;
        _serverKey = serverKey;
    }

    public ScramAlgorithm Algorithm { get; }

    public byte[] Salt { get; }

    public int Iterations { get; }

    public static ScramCredential Create(EmulatorAuthenticationMechanism mechanism, string userName, string password)
    {
        var algorithm = ScramAlgorithm.For(mechanism);
        var salt = RandomNumberGenerator.GetBytes(algorithm.SaltLength);
        var prepared = algorithm.PreparePassword(userName, password);
        var saltedPassword = algorithm.Hi(prepared, salt, algorithm.Iterations);
        try
        {
            var clientKey = algorithm.Hmac(saltedPassword, "Client Key");
            var storedKey = algorithm.H(clientKey);
            var serverKey = algorithm.Hmac(saltedPassword, "Server Key");
            CryptographicOperations.ZeroMemory(clientKey);
            return new ScramCredential(algorithm, salt, algorithm.Iterations, storedKey, serverKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prepared);
            CryptographicOperations.ZeroMemory(saltedPassword);
        }
    }

    /// <summary>
    /// A credential no proof can match, for a user that does not exist (or lacks the mechanism): its salt is derived from
    /// the name with a per-process secret, so repeated attempts see the same salt and the conversation looks like a real one.
    /// </summary>
    public static ScramCredential Decoy(ScramAlgorithm algorithm, byte[] secret, string database, string userName)
    {
        var seed = HMACSHA256.HashData(secret, System.Text.Encoding.UTF8.GetBytes($"{algorithm.Name}\0{database}\0{userName}"));
        var salt = new byte[algorithm.SaltLength];
        for (var i = 0; i < salt.Length; i++)
        {
            salt[i] = seed[i % seed.Length];
        }

        return new ScramCredential(algorithm, salt, algorithm.Iterations, RandomNumberGenerator.GetBytes(algorithm.HashLength),
            RandomNumberGenerator.GetBytes(algorithm.HashLength))
        {
            IsDecoy = true,
        };
    }

    /// <summary>Whether this credential stands in for a missing user; proofs against it always fail.</summary>
    public bool IsDecoy { get; private init; }

    /// <summary>Checks a client proof: ClientKey = proof XOR HMAC(StoredKey, AuthMessage), and H(ClientKey) must equal StoredKey.</summary>
    public bool VerifyProof(byte[] proof, string authMessage)
    {
        var signature = Algorithm.Hmac(_storedKey, authMessage);
        if (proof.Length != signature.Length)
        {
            return false;
        }

        var clientKey = new byte[signature.Length];
        for (var i = 0; i < clientKey.Length; i++)
        {
            clientKey[i] = (byte)(proof[i] ^ signature[i]);
        }

        var matches = CryptographicOperations.FixedTimeEquals(Algorithm.H(clientKey), _storedKey);
        CryptographicOperations.ZeroMemory(clientKey);
        return matches && !IsDecoy;
    }

    /// <summary>ServerSignature = HMAC(ServerKey, AuthMessage), which proves to the client that the server knows the password
    /// too.</summary>
    public byte[] ServerSignature(string authMessage) => Algorithm.Hmac(_serverKey, authMessage);
}
