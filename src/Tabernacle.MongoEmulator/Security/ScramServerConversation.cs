using System.Security.Cryptography;
using System.Text;

namespace Tabernacle.MongoEmulator.Security;

/// <summary>
/// The server side of one SCRAM conversation (RFC 5802 section 5, RFC 7677), driven by <c>saslStart</c> and
/// <c>saslContinue</c>. Without channel binding. Any malformed message or wrong proof fails the conversation with the
/// same <see cref="AuthenticationFailedException"/>, whether or not the user exists.
/// </summary>
internal sealed class ScramServerConversation
{
    private const int NonceBytes = 24;

    private readonly ScramAlgorithm _algorithm;
    private readonly string _database;
    private readonly bool _skipEmptyExchange;
    private ScramCredential? _credential;
    private string _userName = "";
    private string _gs2Header = "";
    private string _clientFirstBare = "";
    private string _serverFirst = "";
    private string _nonce = "";
    private State _state = State.Start;

    public ScramServerConversation(ScramAlgorithm algorithm, string database, bool skipEmptyExchange)
    {
        _algorithm = algorithm;
        _database = database;
        _skipEmptyExchange = skipEmptyExchange;
    }

    private enum State
    {
        Start,
        AwaitingClientFinal,
        AwaitingEmptyFinal,
        Done,
        Failed,
    }

    public string Database => _database;

    public string Mechanism => _algorithm.Name;

    /// <summary>The user the client named; meaningful once the conversation succeeded.</summary>
    public string UserName => _userName;

    public bool IsDone => _state == State.Done;

    /// <summary>Runs the next step and returns the server's payload; throws <see cref="AuthenticationFailedException"/> on any
    /// failure.</summary>
    public byte[] Step(byte[] payload, CredentialStore store)
    {
        try
        {
            return _state switch
            {
                State.Start => First(payload, store),
                State.AwaitingClientFinal => Final(payload),
                State.AwaitingEmptyFinal => Empty(payload),
                _ => throw new AuthenticationFailedException(),
            };
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or DecoderFallbackException or OverflowException)
        {
            _state = State.Failed;
            throw new AuthenticationFailedException();
        }
        catch (AuthenticationFailedException)
        {
            _state = State.Failed;
            throw;
        }
    }

    private byte[] First(byte[] payload, CredentialStore store)
    {
        var message = Strict.GetString(payload);

        // gs2-header: "n,," (no channel binding) or "y,," (client supports it but thinks the server does not); an
        // authorization identity other than empty is not supported.
        if (!(message.StartsWith("n,,", StringComparison.Ordinal) || message.StartsWith("y,,", StringComparison.Ordinal)))
        {
            throw new AuthenticationFailedException();
        }

        _gs2Header = message[..3];
        _clientFirstBare = message[3..];
        var attributes = Parse(_clientFirstBare);
        if (attributes.Count < 2 || attributes[0].Key != 'n' || attributes[1].Key != 'r' || attributes.Any(a => a.Key == 'm'))
        {
            throw new AuthenticationFailedException();
        }

        _userName = DecodeName(attributes[0].Value);
        var clientNonce = attributes[1].Value;
        if (_userName.Length == 0 || clientNonce.Length == 0 || clientNonce.Any(c => c is < '!' or > '~' or ','))
        {
            throw new AuthenticationFailedException();
        }

        _credential = store.CredentialFor(_algorithm, _database, _userName);
        _nonce = clientNonce + Convert.ToBase64String(RandomNumberGenerator.GetBytes(NonceBytes));
        _serverFirst = $"r={_nonce},s={Convert.ToBase64String(_credential.Salt)},i={_credential.Iterations}";
        _state = State.AwaitingClientFinal;
        return Encoding.UTF8.GetBytes(_serverFirst);
    }

    private byte[] Final(byte[] payload)
    {
        var message = Strict.GetString(payload);
        var proofAt = message.LastIndexOf(",p=", StringComparison.Ordinal);
        if (proofAt < 0)
        {
            throw new AuthenticationFailedException();
        }

        var withoutProof = message[..proofAt];
        var attributes = Parse(withoutProof);
        if (attributes.Count < 2 || attributes[0].Key != 'c' || attributes[1].Key != 'r'
            || attributes[0].Value != Convert.ToBase64String(Encoding.UTF8.GetBytes(_gs2Header))
            || !string.Equals(attributes[1].Value, _nonce, StringComparison.Ordinal))
        {
            throw new AuthenticationFailedException();
        }

        var proof = Convert.FromBase64String(message[(proofAt + 3)..]);
        var authMessage = _clientFirstBare + "," + _serverFirst + "," + withoutProof;
        if (_credential is null || !_credential.VerifyProof(proof, authMessage))
        {
            throw new AuthenticationFailedException();
        }

        _state = _skipEmptyExchange ? State.Done : State.AwaitingEmptyFinal;
        return Encoding.UTF8.GetBytes("v=" + Convert.ToBase64String(_credential.ServerSignature(authMessage)));
    }

    private byte[] Empty(byte[] payload)
    {
        if (payload.Length != 0)
        {
            throw new AuthenticationFailedException();
        }

        _state = State.Done;
        return [];
    }

    private static readonly UTF8Encoding Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Splits <c>a=value,b=value</c> into attributes; values may contain '=' but not ','.</summary>
    private static List<KeyValuePair<char, string>> Parse(string message)
    {
        var result = new List<KeyValuePair<char, string>>();
        foreach (var part in message.Split(','))
        {
            if (part.Length < 2 || part[1] != '=' || !char.IsAsciiLetter(part[0]))
            {
                throw new AuthenticationFailedException();
            }

            result.Add(new(part[0], part[2..]));
        }

        return result;
    }

    /// <summary>A saslname: "=2C" stands for ',' and "=3D" for '='; any other '=' is malformed (RFC 5802 section 5.1).</summary>
    private static string DecodeName(string value)
    {
        var builder = new StringBuilder(value.Length);
        for (var i = 0; i < value.Length; i++)
        {
            if (value[i] != '=')
            {
                builder.Append(value[i]);
                continue;
            }

            if (i + 2 >= value.Length)
            {
                throw new AuthenticationFailedException();
            }

            builder.Append(value.AsSpan(i + 1, 2) switch
            {
                "2C" => ',',
                "3D" => '=',
                _ => throw new AuthenticationFailedException(),
            });
            i += 2;
        }

        return builder.ToString();
    }
}

/// <summary>A SASL step failed; the client only ever learns "Authentication failed." (code 18).</summary>
internal sealed class AuthenticationFailedException : Exception
{
    public AuthenticationFailedException()
        : base("Authentication failed.")
    {
    }
}
