using System.Collections;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.EntityFrameworkCore.Update;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Bson.Serialization.Serializers;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// The document of one save operation as the bulk write sends it. An insert of a root entity is written by
/// <see cref="SaveDocumentSerializer"/> straight from the entries' current values (the entity's and its owned
/// entities') when the driver serializes the command, without a <see cref="BsonDocument"/> for the document (a complex
/// property's value is still built as one). Owned entries get their ordinal keys when the insert is planned, before
/// anything is written, as they did while the document was built up front.
/// </summary>
[BsonSerializer(typeof(SaveDocumentSerializer))]
internal sealed class SaveDocument
{
    private BsonDocument? _document;

    private SaveDocument(IUpdateEntry? entry, BsonValue id, BsonDocument? document)
    {
        Entry = entry;
        Id = id;
        _document = document;
    }

    /// <summary>The entry written directly, or null when the document was built up front.</summary>
    public IUpdateEntry? Entry { get; }

    /// <summary>The document's <c>_id</c>.</summary>
    public BsonValue Id { get; }

    public static SaveDocument ForInsert(IUpdateEntry entry)
    {
        var entityType = entry.EntityType;
        if (entityType.FindOwnership() is null)
        {
            DocumentWriter.AssignOrdinals(entry);
            return new SaveDocument(entry, DocumentWriter.IdOf(entry, original: false), null);
        }

        var document = DocumentWriter.CreateDocument(entry);
        return new SaveDocument(null, document[TabernacleModelExtensions.IdElementName], document);
    }

    /// <summary>
    /// The document as BSON (for the command log and for checking a replayed save); built on first use for a direct insert.
    /// </summary>
    public BsonDocument ToBsonDocument() => _document ??= DocumentWriter.CreateDocument(Entry!);
}

/// <summary>
/// Writes a <see cref="SaveDocument"/>: a direct insert element by element from the entries (the same elements, order
/// and BSON types as <see cref="DocumentWriter.CreateDocument"/>), anything else as its <see cref="BsonDocument"/>.
/// It tells the driver the document has its <c>_id</c>, so the driver never generates one.
/// </summary>
internal sealed class SaveDocumentSerializer : SerializerBase<SaveDocument>, IBsonIdProvider
{
    public override void Serialize(BsonSerializationContext context, BsonSerializationArgs args, SaveDocument value)
    {
        if (value.Entry is not { } entry)
        {
            BsonDocumentSerializer.Instance.Serialize(context, args, value.ToBsonDocument());
            return;
        }

        WriteEntity(context, entry, value.Id);
    }

    // One entity's document: the root's with its _id first, an owned entity's without; then the stored properties, the
    // complex properties and the owned navigations, in DocumentWriter.CreateDocument's order.
    private static void WriteEntity(BsonSerializationContext context, IUpdateEntry entry, BsonValue? id)
    {
        var writer = context.Writer;
        writer.WriteStartDocument();
        if (id is not null)
        {
            writer.WriteName(TabernacleModelExtensions.IdElementName);
            BsonValueSerializer.Instance.Serialize(context, id);
        }

        var inserted = StoredProperties.Inserted(entry.EntityType);
        var writers = StoredProperties.InsertedWriters(entry.EntityType);
        for (var i = 0; i < inserted.Length; i++)
        {
            var (property, name, isOrdinalKey) = inserted[i];
            if (isOrdinalKey)
            {
                continue;
            }

            writer.WriteName(name);
            if (writers[i] is { } typed)
            {
                typed.Write(writer, entry);
            }
            else
            {
                Write(context, property.GetTypeMapping(), entry.GetCurrentValue(property));
            }
        }

        // After the scalars, as DocumentWriter.CreateDocument orders them.
        foreach (var complexProperty in StoredProperties.ComplexProperties(entry.EntityType))
        {
            writer.WriteName(complexProperty.GetElementName());
            BsonValueSerializer.Instance.Serialize(context, DocumentWriter.ComplexValue(entry, complexProperty));
        }

        foreach (var navigation in StoredProperties.Embedded(entry.EntityType))
        {
            writer.WriteName(navigation.GetElementName());
            if (DocumentWriter.EmbeddedEntries(entry, navigation) is not { } dependents)
            {
                writer.WriteNull();
            }
            else if (!navigation.IsCollection)
            {
                WriteEntity(context, dependents[0].Entry, null);
            }
            else
            {
                writer.WriteStartArray();
                foreach (var (dependent, _) in dependents)
                {
                    WriteEntity(context, dependent, null);
                }

                writer.WriteEndArray();
            }
        }

        writer.WriteEndDocument();
    }

    public override SaveDocument Deserialize(BsonDeserializationContext context, BsonDeserializationArgs args) =>
        throw new NotSupportedException("Save documents are only written.");

    // As PropertyBson.ToBson, with the common types written by the writer's own methods instead of through a BsonValue.
    private static void Write(BsonSerializationContext context, CoreTypeMapping? mapping, object? value)
    {
        var writer = context.Writer;
        if (mapping?.Converter is { } converter && value is not null)
        {
            value = converter.ConvertToProvider(value);
        }
        else if (mapping?.ElementTypeMapping is not null && value is IEnumerable and not string and not byte[])
        {
            BsonValueSerializer.Instance.Serialize(context, PropertyBson.ToBson(mapping, value));
            return;
        }

        switch (value)
        {
            case null:
                writer.WriteNull();
                break;
            case string s:
                writer.WriteString(s);
                break;
            case int i:
                writer.WriteInt32(i);
                break;
            case long l:
                writer.WriteInt64(l);
                break;
            case double d:
                writer.WriteDouble(d);
                break;
            case bool b:
                writer.WriteBoolean(b);
                break;
            case DateTime dateTime:
                InsertedValueWriter.WriteDateTime(writer, dateTime);
                break;
            case decimal m:
                writer.WriteDecimal128(new Decimal128(m));
                break;
            case ObjectId id:
                writer.WriteObjectId(id);
                break;
            default:
                BsonValueSerializer.Instance.Serialize(context, BsonValueMapper.ToBson(value));
                break;
        }
    }

    public bool GetDocumentId(object document, out object id, out Type idNominalType, out IIdGenerator idGenerator)
    {
        id = ((SaveDocument)document).Id;
        idNominalType = typeof(BsonValue);
        idGenerator = null!;
        return true;
    }

    public void SetDocumentId(object document, object id) =>
        throw new NotSupportedException("A save document always has its _id.");
}
