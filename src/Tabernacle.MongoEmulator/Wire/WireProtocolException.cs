namespace Tabernacle.MongoEmulator.Wire;

/// <summary>A message that cannot be decoded; the connection that sent it is closed.</summary>
internal sealed class WireProtocolException(string message, Exception? inner = null) : Exception(message, inner);
