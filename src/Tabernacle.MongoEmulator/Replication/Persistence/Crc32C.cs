namespace Tabernacle.MongoEmulator.Replication.Persistence;

/// <summary>
/// CRC-32C (Castagnoli), the checksum storage engines put on log records: it catches torn and flipped bytes. Table
/// driven, because the framework has it only in a separate package and records are small.
/// </summary>
internal static class Crc32C
{
    private static readonly uint[] s_table = CreateTable();

    public static uint Compute(ReadOnlySpan<byte> data)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in data)
        {
            crc = s_table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] CreateTable()
    {
        // The reflected Castagnoli polynomial.
        const uint polynomial = 0x82F63B78u;
        var table = new uint[256];
        for (uint i = 0; i < 256; i++)
        {
            var value = i;
            for (var bit = 0; bit < 8; bit++)
            {
                value = (value & 1) != 0 ? (value >> 1) ^ polynomial : value >> 1;
            }

            table[i] = value;
        }

        return table;
    }
}
