using System.Buffers.Binary;

namespace Tabernacle.MongoEmulator.Wire;

/// <summary>
/// Walks raw BSON without recursion to find how deeply it nests, before the recursive deserializer sees it: a hostile
/// message of a few kilobytes can nest thousands of levels, which would overflow the stack and end the process.
/// </summary>
internal static class BsonDepthScanner
{
    /// <summary>mongod's <c>BSONDepth::getMaxAllowableDepth()</c>: deeper messages fail validation with Overflow.</summary>
    public const int MaxAllowableDepth = 200;

    /// <summary>
    /// Returns whether the document (whose length prefix and terminator the caller checked) nests at most
    /// <see cref="MaxAllowableDepth"/> levels, counting the top level as 1 and a code-with-scope as 2, as mongod's
    /// validator does. Lengths that overrun their parent and unknown types throw <see cref="WireProtocolException"/>.
    /// </summary>
    public static bool IsWithinDepth(ReadOnlySpan<byte> document)
    {
        // Each open document is remembered by the position of its terminating zero byte and the levels it counts for.
        var open = new Stack<(int Terminator, int Levels)>();
        open.Push((document.Length - 1, 1));
        var depth = 1;
        var position = 4;
        while (open.Count > 0)
        {
            var end = open.Peek().Terminator;
            if (position == end)
            {
                position++;
                depth -= open.Pop().Levels;
                continue;
            }

            if (position > end)
            {
                throw Malformed("an element runs past the end of its document");
            }

            var type = document[position++];
            position = SkipCString(document, position, end, "a field name");
            switch (type)
            {
                case 0x01 or 0x09 or 0x11 or 0x12: // double, date, timestamp, int64
                    position += 8;
                    break;
                case 0x02 or 0x0D or 0x0E: // string, JavaScript, symbol
                    position += 4 + Length(document, position, end, 1);
                    break;
                case 0x03 or 0x04: // document, array
                    position = Open(document, position, end, open, 1, ref depth);
                    break;
                case 0x05: // binary: length, subtype, bytes
                    position += 4 + 1 + Length(document, position, end, 0);
                    break;
                case 0x06 or 0x0A or 0xFF or 0x7F: // undefined, null, min key, max key
                    break;
                case 0x07: // ObjectId
                    position += 12;
                    break;
                case 0x08: // boolean
                    position += 1;
                    break;
                case 0x0B: // regular expression: pattern and options
                    position = SkipCString(document, position, end, "a regular expression");
                    position = SkipCString(document, position, end, "regular expression options");
                    break;
                case 0x0C: // DBPointer: namespace string and ObjectId
                    position += 4 + Length(document, position, end, 1) + 12;
                    break;
                case 0x0F: // code with scope: total length, code string, scope document
                    var total = end - position >= 4 ? BinaryPrimitives.ReadInt32LittleEndian(document[position..]) : -1;
                    if (total < 14 || total > end - position)
                    {
                        throw Malformed($"a code-with-scope length of {total} is out of range");
                    }

                    var scopeEnd = position + total;
                    var scopeAt = position + 8 + Length(document, position + 4, scopeEnd, 1);
                    if (scopeEnd - scopeAt < 5 || BinaryPrimitives.ReadInt32LittleEndian(document[scopeAt..]) != scopeEnd - scopeAt)
                    {
                        throw Malformed("a code-with-scope length does not match its parts");
                    }

                    position = Open(document, scopeAt, scopeEnd, open, 2, ref depth);
                    break;
                case 0x10: // int32
                    position += 4;
                    break;
                case 0x13: // decimal128
                    position += 16;
                    break;
                default:
                    throw Malformed($"unknown BSON type 0x{type:x2}");
            }

            if (depth > MaxAllowableDepth)
            {
                return false;
            }
        }

        return true;
    }

    private static int SkipCString(ReadOnlySpan<byte> document, int position, int end, string what)
    {
        var nul = position <= end ? document[position..end].IndexOf((byte)0) : -1;
        if (nul < 0)
        {
            throw Malformed($"{what} is not terminated");
        }

        return position + nul + 1;
    }

    /// <summary>Reads a length prefix at <paramref name="position"/>: at least <paramref name="minimum"/>, and its bytes must end by
    /// <paramref name="end"/>.</summary>
    private static int Length(ReadOnlySpan<byte> document, int position, int end, int minimum)
    {
        if (end - position < 4)
        {
            throw Malformed("a length runs past the end of its document");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(document[position..]);
        if (length < minimum || length > end - position - 4)
        {
            throw Malformed($"a length of {length} is out of range");
        }

        return length;
    }

    private static int Open(ReadOnlySpan<byte> document, int position, int end, Stack<(int, int)> open, int levels, ref int depth)
    {
        if (end - position < 5)
        {
            throw Malformed("an embedded document is truncated");
        }

        var length = BinaryPrimitives.ReadInt32LittleEndian(document[position..]);
        if (length < 5 || length > end - position)
        {
            throw Malformed($"an embedded document length of {length} is out of range");
        }

        var terminator = position + length - 1;
        if (document[terminator] != 0)
        {
            throw Malformed("an embedded document does not end with a zero byte");
        }

        open.Push((terminator, levels));
        depth += levels;
        return position + 4;
    }

    private static WireProtocolException Malformed(string reason) => new($"invalid BSON: {reason}");
}
