namespace Tabernacle.MongoEmulator.Wire;

/// <summary>The wire protocol opcodes the emulator reads or writes.</summary>
internal enum OpCode
{
    Reply = 1,
    Query = 2004,
    Compressed = 2012,
    Msg = 2013,
}
