using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Update;
using MongoDB.Bson;
using MongoDB.Bson.IO;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// Writes one property of an inserted entity with the writer's typed method, reading the value through EF Core's typed
/// accessor (<see cref="IUpdateEntry.GetCurrentValue{TProperty}"/>), so a value type is never boxed on its way to the
/// wire. Made once per property (<see cref="StoredProperties"/>) for the common scalar types without a value converter;
/// every other property goes through <see cref="SaveDocumentSerializer"/>'s general path. The BSON is the same as
/// <see cref="Storage.Internal.PropertyBson.ToBson(IReadOnlyProperty, object?)"/> gives.
/// </summary>
internal abstract class InsertedValueWriter
{
    public abstract void Write(IBsonWriter writer, IUpdateEntry entry);

    /// <summary>The typed writer for <paramref name="property"/>, or <c>null</c> when it needs the general path.</summary>
    public static InsertedValueWriter? For(IProperty property)
    {
        var mapping = property.GetTypeMapping();
        if (mapping.Converter is not null || mapping.ElementTypeMapping is not null)
        {
            return null;
        }

        var type = property.ClrType;
        return type == typeof(string) ? new StringWriter(property)
            : type == typeof(int) ? new Int32Writer(property)
            : type == typeof(int?) ? new NullableWriter<int>(property, static (w, v) => w.WriteInt32(v))
            : type == typeof(long) ? new Int64Writer(property)
            : type == typeof(long?) ? new NullableWriter<long>(property, static (w, v) => w.WriteInt64(v))
            : type == typeof(double) ? new DoubleWriter(property)
            : type == typeof(double?) ? new NullableWriter<double>(property, static (w, v) => w.WriteDouble(v))
            : type == typeof(bool) ? new BooleanWriter(property)
            : type == typeof(bool?) ? new NullableWriter<bool>(property, static (w, v) => w.WriteBoolean(v))
            : type == typeof(DateTime) ? new DateTimeWriter(property)
            : type == typeof(DateTime?) ? new NullableWriter<DateTime>(property, WriteDateTime)
            : type == typeof(decimal) ? new DecimalWriter(property)
            : type == typeof(decimal?) ? new NullableWriter<decimal>(property, static (w, v) => w.WriteDecimal128(new Decimal128(v)))
            : type == typeof(ObjectId) ? new ObjectIdWriter(property)
            : type == typeof(ObjectId?) ? new NullableWriter<ObjectId>(property, static (w, v) => w.WriteObjectId(v))
            : null;
    }

    // As BsonValueMapper: an unspecified kind is taken as UTC, a local time converted.
    public static void WriteDateTime(IBsonWriter writer, DateTime value)
    {
        var utc = value.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(value, DateTimeKind.Utc) : value.ToUniversalTime();
        writer.WriteDateTime(BsonUtils.ToMillisecondsSinceEpoch(utc));
    }

    private sealed class StringWriter(IProperty property) : InsertedValueWriter
    {
        public override void Write(IBsonWriter writer, IUpdateEntry entry)
        {
            if (entry.GetCurrentValue<string?>(property) is { } value)
            {
                writer.WriteString(value);
            }
            else
            {
                writer.WriteNull();
            }
        }
    }

    private sealed class Int32Writer(IProperty property) : InsertedValueWriter
    {
        public override void Write(IBsonWriter writer, IUpdateEntry entry) => writer.WriteInt32(entry.GetCurrentValue<int>(property));
    }

    private sealed class Int64Writer(IProperty property) : InsertedValueWriter
    {
        public override void Write(IBsonWriter writer, IUpdateEntry entry) => writer.WriteInt64(entry.GetCurrentValue<long>(property));
    }

    private sealed class DoubleWriter(IProperty property) : InsertedValueWriter
    {
        public override void Write(IBsonWriter writer, IUpdateEntry entry) => writer.WriteDouble(entry.GetCurrentValue<double>(property));
    }

    private sealed class BooleanWriter(IProperty property) : InsertedValueWriter
    {
        public override void Write(IBsonWriter writer, IUpdateEntry entry) => writer.WriteBoolean(entry.GetCurrentValue<bool>(property));
    }

    private sealed class DateTimeWriter(IProperty property) : InsertedValueWriter
    {
        public override void Write(IBsonWriter writer, IUpdateEntry entry) =>
            WriteDateTime(writer, entry.GetCurrentValue<DateTime>(property));
    }

    private sealed class DecimalWriter(IProperty property) : InsertedValueWriter
    {
        public override void Write(IBsonWriter writer, IUpdateEntry entry) =>
            writer.WriteDecimal128(new Decimal128(entry.GetCurrentValue<decimal>(property)));
    }

    private sealed class ObjectIdWriter(IProperty property) : InsertedValueWriter
    {
        public override void Write(IBsonWriter writer, IUpdateEntry entry) =>
            writer.WriteObjectId(entry.GetCurrentValue<ObjectId>(property));
    }

    private sealed class NullableWriter<T>(IProperty property, Action<IBsonWriter, T> write) : InsertedValueWriter
        where T : struct
    {
        public override void Write(IBsonWriter writer, IUpdateEntry entry)
        {
            if (entry.GetCurrentValue<T?>(property) is { } value)
            {
                write(writer, value);
            }
            else
            {
                writer.WriteNull();
            }
        }
    }
}
