using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tabernacle.MongoEmulator.Security;

/// <summary>The hash-specific parts of SCRAM (RFC 5802 section 2.2) for one mechanism, and MongoDB's password preparation.</summary>
internal sealed class ScramAlgorithm
{
    public static readonly ScramAlgorithm Sha1 =
        new(EmulatorAuthenticationMechanism.ScramSha1, "SCRAM-SHA-1", HashAlgorithmName.SHA1, 20, saltLength: 16, iterations: 10_000);

    public static readonly ScramAlgorithm Sha256 =
        new(EmulatorAuthenticationMechanism.ScramSha256, "SCRAM-SHA-256", HashAlgorithmName.SHA256, 32, saltLength: 28, iterations: 15_000);

    private ScramAlgorithm(EmulatorAuthenticationMechanism mechanism, string name, HashAlgorithmName hash, int hashLength, int saltLength,
        int iterations)
    {
        Mechanism = mechanism;
        Name = name;
        Hash = hash;
        HashLength = hashLength;
        SaltLength = saltLength;
        Iterations = iterations;
    }

    public EmulatorAuthenticationMechanism Mechanism { get; }

    /// <summary>The mechanism's SASL name, as in <c>saslStart.mechanism</c> and <c>saslSupportedMechs</c>.</summary>
    public string Name { get; }

    public HashAlgorithmName Hash { get; }

    public int HashLength { get; }

    /// <summary>The salt length mongod uses (the hash length minus 4).</summary>
    public int SaltLength { get; }

    /// <summary>mongod's default iteration count (<c>scramIterationCount</c> / <c>scramSHA256IterationCount</c>).</summary>
    public int Iterations { get; }

    public static ScramAlgorithm For(EmulatorAuthenticationMechanism mechanism) =>
        mechanism == EmulatorAuthenticationMechanism.ScramSha1 ? Sha1 : Sha256;

    public static ScramAlgorithm? FromName(string name) => name switch
    {
        "SCRAM-SHA-1" => Sha1,
        "SCRAM-SHA-256" => Sha256,
        _ => null,
    };

    /// <summary>
    /// The password as the mechanism hashes it: SCRAM-SHA-1 uses MongoDB's legacy digest, the lower-case hex of
    /// MD5(<c>user:mongo:password</c>); SCRAM-SHA-256 uses the SASLprepped password.
    /// </summary>
    public byte[] PreparePassword(string userName, string password)
    {
        if (Mechanism == EmulatorAuthenticationMechanism.ScramSha1)
        {
            // MD5 is what MongoDB's SCRAM-SHA-1 prescribes for the password digest; it is not used for security on its own.
#pragma warning disable CA5351
            var digest = MD5.HashData(Encoding.UTF8.GetBytes(userName + ":mongo:" + password));
#pragma warning restore CA5351
            return Encoding.UTF8.GetBytes(Convert.ToHexStringLower(digest));
        }

        return Encoding.UTF8.GetBytes(SaslPrep.Prepare(password));
    }

    /// <summary>Hi(str, salt, i): PBKDF2 with HMAC of this hash and one block of output.</summary>
    public byte[] Hi(byte[] password, byte[] salt, int iterations) =>
        Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, Hash, HashLength);

    public byte[] Hmac(byte[] key, string text) => Hmac(key, Encoding.UTF8.GetBytes(text));

    public byte[] Hmac(byte[] key, byte[] data) =>
        Mechanism == EmulatorAuthenticationMechanism.ScramSha1 ? HMACSHA1.HashData(key, data) : HMACSHA256.HashData(key, data);

    public byte[] H(byte[] data) =>
        Mechanism == EmulatorAuthenticationMechanism.ScramSha1 ? SHA1.HashData(data) : SHA256.HashData(data);

    public override string ToString() => Name.ToString(CultureInfo.InvariantCulture);
}
