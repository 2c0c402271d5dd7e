using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Storage;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>
/// Where a row's typed values start in its slab (in bytes): what the slots of its typed values hold. Markers are shared
/// (one per position of a slab), so marking a slot allocates nothing.
/// </summary>
internal sealed class WireTypedMarker
{
    private WireTypedMarker(int start) => Start = start;

    public int Start { get; }

    private static readonly WireTypedMarker[] Markers =
        [.. Enumerable.Range(0, WireBank.SlabLongs).Select(i => new WireTypedMarker(i * sizeof(long)))];

    /// <summary>The marker of a bank that starts at long <paramref name="index"/> of its slab.</summary>
    public static WireTypedMarker At(int index) => Markers[index];
}

/// <summary>
/// The typed storage of rows read from the wire. Value-type values live in a bank: a region of a <c>long[]</c> slab
/// that the row's last slot holds, packed at byte offsets (a bool takes one byte, an int four); their slots hold the
/// row's <see cref="WireTypedMarker"/> (where its bank starts). Rows share a slab (each reading thread claims regions of
/// its own slab, and a slab is never reused), so a row's typed values cost their bytes and no object of their own.
/// The shaper reads them with these methods, which the compiled shaper calls in place of EF Core's
/// <c>ValueBufferTryReadValue</c> (see <see cref="WireTypedReadRewriter"/>): no box between the wire and the property.
/// A slot that holds anything else (a default filled in, null, a value read by the boxing fallback) is read as EF Core
/// reads it.
/// </summary>
internal static class WireBank
{
    /// <summary>The longs of a slab: 4 KB, far below the large object heap, shared by the rows of a batch or two.</summary>
    public const int SlabLongs = 512;

    [ThreadStatic]
    private static long[]? t_slab;

    [ThreadStatic]
    private static int t_next;

    /// <summary>The longs a bank of <paramref name="bytes"/> takes.</summary>
    public static int Longs(int bytes) => (bytes + sizeof(long) - 1) / sizeof(long);

    /// <summary>A bank of <paramref name="longs"/> for one row: its slab, and the marker of where it starts.</summary>
    public static long[] Claim(int longs, out WireTypedMarker marker)
    {
        if (longs > SlabLongs)
        {
            marker = WireTypedMarker.At(0);
            return new long[longs];
        }

        var slab = t_slab;
        if (slab is null || t_next + longs > SlabLongs)
        {
            // The old slab stays with the rows that hold it; the thread no longer writes to it.
            slab = t_slab = new long[SlabLongs];
            t_next = 0;
        }

        marker = WireTypedMarker.At(t_next);
        t_next += longs;
        return slab;
    }

    public static void Write<T>(long[] slab, int offset, T value)
        where T : struct =>
        Unsafe.WriteUnaligned(ref At(slab, offset), value);

    public static T ReadAt<T>(long[] slab, int offset)
        where T : struct =>
        Unsafe.ReadUnaligned<T>(ref At(slab, offset));

    // The byte at an offset: the long that holds it is bounds-checked; a layout gives each value the bytes it takes within
    // the longs its bank claimed, so no value reaches past the end.
    private static ref byte At(long[] slab, int offset) =>
        ref Unsafe.Add(ref Unsafe.As<long, byte>(ref slab[offset >> 3]), offset & 7);

    private static long[] SlabOf(in ValueBuffer buffer) => (long[])buffer[buffer.Count - 1]!;

    public static T Read<T>(ValueBuffer buffer, int index, int offset)
        where T : struct =>
        buffer[index] is WireTypedMarker marker ? ReadAt<T>(SlabOf(buffer), marker.Start + offset) : (T)buffer[index]!;

    public static T? ReadNullable<T>(ValueBuffer buffer, int index, int offset)
        where T : struct =>
        buffer[index] is WireTypedMarker marker ? ReadAt<T>(SlabOf(buffer), marker.Start + offset) : (T?)buffer[index];

    /// <summary>The value as an object (EF Core's key values for the identity map): boxed once, only when asked for.</summary>
    public static object? ReadBoxed<T>(ValueBuffer buffer, int index, int offset)
        where T : struct
    {
        var value = buffer[index];
        if (value is not WireTypedMarker marker)
        {
            return value;
        }

        var typed = ReadAt<T>(SlabOf(buffer), marker.Start + offset);
        // Small ints (most keys of small collections, counts) share their boxes, as the boxing reader's do.
        return typeof(T) == typeof(int) ? WireValueReaders.Box(Unsafe.As<T, int>(ref typed)) : typed;
    }

    /// <summary>The slot itself, for a null test (a typed value is not null): no box to compare.</summary>
    public static object? Slot(ValueBuffer buffer, int index) => buffer[index];

    /// <summary>A projected value from a row (see <see cref="ShaperMethods.ReadRowValue{T}"/>).</summary>
    public static T RowValue<T>(object?[] row, int slot, int offset)
        where T : struct
    {
        var value = row[slot];
        return value is WireTypedMarker marker ? ReadAt<T>((long[])row[^1]!, marker.Start + offset)
            : value is null ? default : (T)value;
    }

    public static T? RowNullable<T>(object?[] row, int slot, int offset)
        where T : struct =>
        row[slot] is WireTypedMarker marker ? ReadAt<T>((long[])row[^1]!, marker.Start + offset) : (T?)row[slot];
}
