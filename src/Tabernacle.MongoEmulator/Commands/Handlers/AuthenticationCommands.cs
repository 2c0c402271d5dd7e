using System.Text;
using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Security;

namespace Tabernacle.MongoEmulator.Commands.Handlers;

/// <summary>
/// <c>saslStart</c>: begins a SCRAM-SHA-256 or SCRAM-SHA-1 conversation for a user of the command's database and
/// answers the server-first message with <c>conversationId</c> and <c>done: false</c>.
/// </summary>
internal sealed class SaslStartCommand(CredentialStore? credentials) : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["saslStart"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context) =>
        Task.FromResult(SaslSupport.Start(context.Connection.Authentication, credentials, context.Database, context.Command));
}

/// <summary><c>saslContinue</c>: the next step of the connection's SASL conversation; <c>done: true</c> once the client is
/// authenticated.</summary>
internal sealed class SaslContinueCommand(CredentialStore? credentials) : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["saslContinue"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var state = context.Connection.Authentication;
        var conversation = state.Conversation;
        if (conversation is null || credentials is null)
        {
            throw new MongoErrorException(ErrorCodes.ProtocolError, "No SASL session state found");
        }

        if (!context.Command.TryGetValue("conversationId", out var id) || !id.IsNumeric || id.ToInt64() != SaslSupport.ConversationId)
        {
            state.Conversation = null;
            throw new MongoErrorException(ErrorCodes.ProtocolError, "sasl: Mismatched conversation id");
        }

        if (conversation.Database != context.Database)
        {
            state.Conversation = null;
            throw new MongoErrorException(ErrorCodes.ProtocolError,
                $"sasl: conversation was started on database '{conversation.Database}'");
        }

        return Task.FromResult(SaslSupport.Continue(state, conversation, credentials, SaslSupport.Payload(context.Command)));
    }
}

/// <summary>
/// <c>authenticate</c>: on mongod 7.0 only MONGODB-X509 uses it, and the emulator has no TLS, so it always fails with
/// MechanismUnavailable and points to <c>saslStart</c>.
/// </summary>
internal sealed class AuthenticateCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["authenticate"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var mechanism = context.Command.TryGetValue("mechanism", out var value) && value.IsString ? value.AsString : "";
        throw new MongoErrorException(
            ErrorCodes.MechanismUnavailable,
            $"Unsupported mechanism '{mechanism}' on authentication: the emulator supports SCRAM-SHA-256 and SCRAM-SHA-1 through saslStart");
    }
}

/// <summary><c>logout</c>: ends the connection's authentication on the command's database (deprecated on mongod, still answered).</summary>
internal sealed class LogoutCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["logout"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        context.Connection.Authentication.SignOut(context.Database);
        return Task.FromResult(new BsonDocument());
    }
}

/// <summary><c>connectionStatus</c>: the users the connection is authenticated as (roles are not modelled, so they are empty).</summary>
internal sealed class ConnectionStatusCommand : ICommandHandler
{
    public IReadOnlyList<string> Names { get; } = ["connectionStatus"];

    public CommandAccess Access => CommandAccess.Any;

    public Task<BsonDocument> ExecuteAsync(CommandContext context)
    {
        var users = new BsonArray();
        if (context.Connection.Authentication.User is { } user)
        {
            users.Add(new BsonDocument { { "user", user.Name }, { "db", user.Database } });
        }

        var authInfo = new BsonDocument { { "authenticatedUsers", users }, { "authenticatedUserRoles", new BsonArray() } };
        if (context.OptionalBool("showPrivileges", false))
        {
            authInfo["authenticatedUserPrivileges"] = new BsonArray();
        }

        return Task.FromResult(new BsonDocument("authInfo", authInfo));
    }
}

/// <summary>The SASL steps shared by <c>saslStart</c>, <c>saslContinue</c> and <c>hello</c>'s <c>speculativeAuthenticate</c>.</summary>
internal static class SaslSupport
{
    /// <summary>mongod numbers the single conversation of a connection 1.</summary>
    public const int ConversationId = 1;

    /// <summary>Runs a <c>saslStart</c> document (the command, or <c>hello.speculativeAuthenticate</c>) against <paramref
    /// name="database"/>.</summary>
    public static BsonDocument Start(ConnectionAuthentication state, CredentialStore? credentials, string database, BsonDocument command)
    {
        state.Conversation = null;
        var mechanismName = command.TryGetValue("mechanism", out var m) && m.IsString ? m.AsString : null;
        if (mechanismName is null)
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "BSON field 'saslStart.mechanism' is missing but a required field");
        }

        var algorithm = ScramAlgorithm.FromName(mechanismName)
            ?? throw new MongoErrorException(ErrorCodes.MechanismUnavailable,
                $"Received authentication for mechanism {mechanismName} which is not enabled");
        if (credentials is null)
        {
            // Authentication is off and there are no users, as on a mongod without any: every attempt fails.
            throw new MongoErrorException(ErrorCodes.AuthenticationFailed, "Authentication failed.");
        }

        var skipEmptyExchange = command.TryGetValue("options", out var options) && options is BsonDocument o
            && o.TryGetValue("skipEmptyExchange", out var skip) && skip.ToBoolean();
        var conversation = new ScramServerConversation(algorithm, database, skipEmptyExchange);
        state.Conversation = conversation;
        return Continue(state, conversation, credentials, Payload(command));
    }

    public static BsonDocument Continue(ConnectionAuthentication state, ScramServerConversation conversation, CredentialStore credentials,
        byte[] payload)
    {
        byte[] answer;
        try
        {
            answer = conversation.Step(payload, credentials);
        }
        catch (AuthenticationFailedException)
        {
            state.Conversation = null;
            throw new MongoErrorException(ErrorCodes.AuthenticationFailed, "Authentication failed.");
        }

        if (conversation.IsDone)
        {
            state.SignIn(new AuthenticatedUser(conversation.UserName, conversation.Database, conversation.Mechanism));
        }

        return new BsonDocument
        {
            { "conversationId", ConversationId },
            { "done", conversation.IsDone },
            { "payload", new BsonBinaryData(answer) },
        };
    }

    /// <summary>The step's payload: binary data as drivers send it, or a string as some shells do.</summary>
    public static byte[] Payload(BsonDocument command)
    {
        if (!command.TryGetValue("payload", out var payload))
        {
            throw new MongoErrorException(ErrorCodes.BadValue, "BSON field 'payload' is missing but a required field");
        }

        return payload switch
        {
            BsonBinaryData binary => binary.Bytes,
            BsonString text => Encoding.UTF8.GetBytes(text.Value),
            _ => throw new MongoErrorException(ErrorCodes.TypeMismatch,
                $"BSON field 'payload' is the wrong type '{CommandContext.BsonTypeName(payload)}', expected types '[binData, string]'"),
        };
    }

    /// <summary>
    /// Adds <c>saslSupportedMechs</c> and <c>speculativeAuthenticate</c> to a <c>hello</c> reply when the request asks
    /// for them and authentication is on. A speculative attempt that fails leaves the field out, as mongod does; the
    /// driver then authenticates with <c>saslStart</c>.
    /// </summary>
    public static void AddToHello(CommandContext context, BsonDocument reply, CredentialStore? credentials)
    {
        if (credentials is null)
        {
            return;
        }

        if (context.Command.TryGetValue("saslSupportedMechs", out var requested) && requested.IsString)
        {
            var name = requested.AsString;
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            if (dot > 0 && dot < name.Length - 1)
            {
                reply["saslSupportedMechs"] = new BsonArray(credentials.SupportedMechanisms(name[..dot], name[(dot + 1)..]));
            }
        }

        if (context.Command.TryGetValue("speculativeAuthenticate", out var speculative) && speculative is BsonDocument start
            && start.TryGetValue("db", out var db) && db.IsString && db.AsString.Length > 0)
        {
            try
            {
                reply["speculativeAuthenticate"] = Start(context.Connection.Authentication, credentials, db.AsString, start);
            }
            catch (MongoErrorException)
            {
                context.Connection.Authentication.Conversation = null;
            }
        }
    }
}
