namespace Tabernacle.MongoEmulator.Commands;

/// <summary>Which members may run a command: the dispatcher enforces it before the handler runs.</summary>
internal enum CommandAccess
{
    /// <summary>Any running member (handshake, diagnostics, administration).</summary>
    Any,

    /// <summary>A read: the primary, or a secondary when the request allows secondary reads.</summary>
    Read,

    /// <summary>A write: only the primary.</summary>
    Write,
}
