namespace Tabernacle.MongoEmulator.Security;

/// <summary>The authentication state of one client connection: who it is authenticated as, and a SASL conversation under way.</summary>
internal sealed class ConnectionAuthentication
{
    private readonly Lock _sync = new();
    private AuthenticatedUser? _user;
    private ScramServerConversation? _conversation;

    /// <summary>The user this connection authenticated as, or <c>null</c>.</summary>
    public AuthenticatedUser? User
    {
        get
        {
            lock (_sync)
            {
                return _user;
            }
        }
    }

    public bool IsAuthenticated => User is not null;

    public ScramServerConversation? Conversation
    {
        get
        {
            lock (_sync)
            {
                return _conversation;
            }
        }

        set
        {
            lock (_sync)
            {
                _conversation = value;
            }
        }
    }

    public void SignIn(AuthenticatedUser user)
    {
        lock (_sync)
        {
            _user = user;
            _conversation = null;
        }
    }

    /// <summary>Logs out of <paramref name="database"/>: the connection is no longer authenticated if its user belongs there.</summary>
    public void SignOut(string database)
    {
        lock (_sync)
        {
            if (_user is { } user && user.Database == database)
            {
                _user = null;
            }

            _conversation = null;
        }
    }
}

/// <summary>A user a connection authenticated as.</summary>
internal sealed record AuthenticatedUser(string Name, string Database, string Mechanism);
