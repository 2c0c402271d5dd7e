using System.Security.Cryptography;
using System.Text;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Tests.TestSupport;

namespace Tabernacle.MongoEmulator.Tests.Security;

/// <summary>
/// The client side of SCRAM written from RFC 5802/7677 for the tests (independent of the emulator's server code), so
/// raw-socket tests can drive each step and look at every reply.
/// </summary>
internal sealed class ScramTestClient
{
    private readonly string _user;
    private readonly string _password;
    private readonly bool _sha256;
    private readonly string _clientNonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    private byte[]? _expectedServerSignature;

    public ScramTestClient(string user, string password, string mechanism)
    {
        _user = user;
        _password = password;
        _sha256 = mechanism == "SCRAM-SHA-256";
        Mechanism = mechanism;
    }

    public string Mechanism { get; }

    public string ClientFirstBare =>
        $"n={_user.Replace("=", "=3D", StringComparison.Ordinal).Replace(",", "=2C", StringComparison.Ordinal)},r={_clientNonce}";

    public byte[] ClientFirst() => Encoding.UTF8.GetBytes("n,," + ClientFirstBare);

    public BsonDocument SaslStart(bool skipEmptyExchange = true) => new()
    {
        { "saslStart", 1 },
        { "mechanism", Mechanism },
        { "payload", new BsonBinaryData(ClientFirst()) },
        { "options", new BsonDocument("skipEmptyExchange", skipEmptyExchange) },
    };

    /// <summary>The client-final message for the server-first message, remembering the signature the server must send back.</summary>
    public byte[] ClientFinal(byte[] serverFirstBytes)
    {
        var serverFirst = Encoding.UTF8.GetString(serverFirstBytes);
        var map = serverFirst.Split(',').ToDictionary(p => p[0], p => p[2..]);
        Assert.StartsWith(_clientNonce, map['r'], StringComparison.Ordinal);
        var salt = Convert.FromBase64String(map['s']);
        var iterations = int.Parse(map['i'], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(_sha256 ? 15000 : 10000, iterations);

        var password = _sha256
            ? Encoding.UTF8.GetBytes(_password.Normalize(NormalizationForm.FormKC))
#pragma warning disable CA5351 // MongoDB's SCRAM-SHA-1 password digest
            : Encoding.UTF8.GetBytes(Convert.ToHexStringLower(MD5.HashData(Encoding.UTF8.GetBytes($"{_user}:mongo:{_password}"))));
#pragma warning restore CA5351
        var hash = _sha256 ? HashAlgorithmName.SHA256 : HashAlgorithmName.SHA1;
        var salted = Rfc2898DeriveBytes.Pbkdf2(password, salt, iterations, hash, _sha256 ? 32 : 20);
        var clientKey = Hmac(salted, "Client Key");
        var storedKey = _sha256 ? SHA256.HashData(clientKey) : SHA1.HashData(clientKey);
        var withoutProof = $"c=biws,r={map['r']}";
        var authMessage = $"{ClientFirstBare},{serverFirst},{withoutProof}";
        var signature = Hmac(storedKey, authMessage);
        var proof = clientKey.Zip(signature, (a, b) => (byte)(a ^ b)).ToArray();
        _expectedServerSignature = Hmac(Hmac(salted, "Server Key"), authMessage);
        return Encoding.UTF8.GetBytes($"{withoutProof},p={Convert.ToBase64String(proof)}");
    }

    /// <summary>Checks the server-final message <c>v=ServerSignature</c>.</summary>
    public void VerifyServerFinal(byte[] serverFinal)
    {
        Assert.NotNull(_expectedServerSignature);
        Assert.Equal("v=" + Convert.ToBase64String(_expectedServerSignature), Encoding.UTF8.GetString(serverFinal));
    }

    /// <summary>Authenticates <paramref name="client"/> with saslStart and saslContinue against <paramref name="database"/>.</summary>
    public async Task AuthenticateAsync(RawCommandClient client, string database = "admin")
    {
        var start = await client.RunAsync(SaslStart(), database);
        Assert.Equal(1.0, start["ok"].ToDouble());
        var final = await client.RunAsync(Continue(start, ClientFinal(start["payload"].AsByteArray)), database);
        Assert.Equal(1.0, final["ok"].ToDouble());
        Assert.True(final["done"].AsBoolean);
        VerifyServerFinal(final["payload"].AsByteArray);
    }

    public static BsonDocument Continue(BsonDocument previous, byte[] payload) => new()
    {
        { "saslContinue", 1 },
        { "conversationId", previous["conversationId"] },
        { "payload", new BsonBinaryData(payload) },
    };

    private byte[] Hmac(byte[] key, string text) =>
        _sha256 ? HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(text)) : HMACSHA1.HashData(key, Encoding.UTF8.GetBytes(text));
}
