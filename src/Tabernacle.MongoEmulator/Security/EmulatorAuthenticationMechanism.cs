namespace Tabernacle.MongoEmulator;

/// <summary>The SASL mechanisms the emulator offers, as MongoDB names them.</summary>
public enum EmulatorAuthenticationMechanism
{
    /// <summary><c>SCRAM-SHA-1</c> (RFC 5802), with MongoDB's MD5 pre-hash of the password.</summary>
    ScramSha1,

    /// <summary><c>SCRAM-SHA-256</c> (RFC 7677), MongoDB's default since 4.0.</summary>
    ScramSha256,
}
