namespace Tabernacle.EfCore.Storage.Internal;

/// <summary>
/// The MongoDB server error codes the provider acts on, by the names mongod gives them (its <c>error_codes.yml</c>), so
/// that no rule of the provider is written as a bare number.
/// </summary>
internal static class ServerErrorCodes
{
    public const int HostUnreachable = 6;
    public const int HostNotFound = 7;
    public const int MaxTimeMSExpired = 50;
    public const int NetworkTimeout = 89;
    public const int ShutdownInProgress = 91;
    public const int WriteConflict = 112;
    public const int DocumentValidationFailure = 121;
    public const int PrimarySteppedDown = 189;
    public const int NoSuchTransaction = 251;
    public const int ExceededTimeLimit = 262;
    public const int SocketException = 9001;
    public const int NotWritablePrimary = 10107;
    public const int DuplicateKey = 11000;
    public const int DuplicateKeyOnUpdate = 11001;
    public const int InterruptedAtShutdown = 11600;
    public const int InterruptedDueToReplStateChange = 11602;
    public const int DuplicateKeyValue = 12582;
    public const int NotPrimaryNoSecondaryOk = 13435;
    public const int NotPrimaryOrSecondary = 13436;
}
