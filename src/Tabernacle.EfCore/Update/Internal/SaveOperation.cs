using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Update;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Metadata.Internal;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// The write for one root document of a SaveChanges: an insert, an update of only the changed elements (owned
/// documents rewritten whole), or a delete; filtered by <c>_id</c> and the original values of concurrency tokens.
/// </summary>
internal sealed class SaveOperation
{
    // Created only for an entity type with row versions: most saves have none.
    private Dictionary<IProperty, object?>? _newTokenValues;

    // Four fields and the state: one of these is made per saved entity, so what can be read from the write model (the
    // inserted document, the filter, the update) is read from it instead of being kept twice.
    private SaveOperation(IUpdateEntry entry, string collectionName, WriteModel<SaveDocument> model)
    {
        Entry = entry;
        State = entry.EntityState == EntityState.Unchanged ? EntityState.Modified : entry.EntityState;
        CollectionName = collectionName;
        Model = model;
    }

    public IUpdateEntry Entry { get; }

    public string CollectionName { get; }

    public WriteModel<SaveDocument> Model { get; }

    /// <summary>The document an insert writes.</summary>
    public SaveDocument? Inserted => (Model as InsertOneModel<SaveDocument>)?.Document;

    /// <summary>The update document of an update (for the command log).</summary>
    public BsonDocument? Update => (Model as UpdateOneModel<SaveDocument>)?.Update is BsonDocumentUpdateDefinition<SaveDocument> update
        ? update.Document
        : null;

    /// <summary>The filter of an update or delete (used to tell which entries a concurrency conflict hit).</summary>
    public BsonDocument? Filter => Model switch
    {
        UpdateOneModel<SaveDocument> { Filter: BsonDocumentFilterDefinition<SaveDocument> filter } => filter.Document,
        DeleteOneModel<SaveDocument> { Filter: BsonDocumentFilterDefinition<SaveDocument> filter } => filter.Document,
        _ => null,
    };

    /// <summary>What the write does to the document: an unchanged root with changed owned entities is an update.</summary>
    public EntityState State { get; }

    /// <summary>The elements an update sets (to recognise, after a conflict, which updates did land).</summary>
    public BsonDocument? Written => Update?[UpdateOperator].AsBsonDocument;

    private const string UpdateOperator = "$set";

    /// <summary>Row-version values this save writes; set on the entry once the write succeeded.</summary>
    public IReadOnlyDictionary<IProperty, object?> NewTokenValues => (IReadOnlyDictionary<IProperty, object?>?)_newTokenValues ?? NoTokens;

    private static readonly Dictionary<IProperty, object?> NoTokens = [];

    /// <summary>The write for a root entry; <paramref name="changedEmbeddings"/> are its owned navigations below which something
    /// changed.</summary>
    public static SaveOperation? Create(IUpdateEntry entry, IReadOnlySet<INavigation> changedEmbeddings)
    {
        var collection = entry.EntityType.GetCollectionName();
        switch (entry.EntityState)
        {
            case EntityState.Added:
            {
                InitializeRowVersions(entry);
                var document = SaveDocument.ForInsert(entry);
                return new SaveOperation(entry, collection, new InsertOneModel<SaveDocument>(document));
            }

            case EntityState.Modified:
            case EntityState.Unchanged when changedEmbeddings.Count > 0:
            {
                var filter = FilterFor(entry);
                var set = new BsonDocument();
                Dictionary<IProperty, object?>? tokens = null;
                foreach (var (property, name, isRowVersion) in StoredProperties.Of(entry.EntityType))
                {
                    if (isRowVersion)
                    {
                        var next = NextRowVersion(property, entry.GetOriginalValue(property));
                        (tokens ??= [])[property] = next;
                        set.Add(name, PropertyBson.ToBson(property, next));
                    }
                    else if (entry.IsModified(property))
                    {
                        set.Add(name, PropertyBson.ToBson(property, entry.GetCurrentValue(property)));
                    }
                }

                // Complex properties are rewritten whole when any value in them changed.
                foreach (var complexProperty in StoredProperties.ComplexProperties(entry.EntityType))
                {
                    if (DocumentWriter.IsModified(entry, complexProperty))
                    {
                        set[complexProperty.GetElementName()] = DocumentWriter.ComplexValue(entry, complexProperty);
                    }
                }

                // Owned documents are rewritten whole: a change anywhere below replaces the sub-document or array.
                if (changedEmbeddings.Count > 0)
                {
                    foreach (var navigation in StoredProperties.Embedded(entry.EntityType))
                    {
                        if (changedEmbeddings.Contains(navigation))
                        {
                            set[navigation.GetElementName()] = DocumentWriter.EmbeddedValue(entry, navigation);
                        }
                    }
                }

                if (set.ElementCount == 0)
                {
                    return null;
                }

                var update = new BsonDocument(UpdateOperator, set);
                var model = new UpdateOneModel<SaveDocument>(
                    new BsonDocumentFilterDefinition<SaveDocument>(filter),
                    new BsonDocumentUpdateDefinition<SaveDocument>(update));
                return new SaveOperation(entry, collection, model) { _newTokenValues = tokens };
            }

            case EntityState.Deleted:
            {
                var filter = FilterFor(entry);
                var model = new DeleteOneModel<SaveDocument>(new BsonDocumentFilterDefinition<SaveDocument>(filter));
                return new SaveOperation(entry, collection, model);
            }

            default:
                return null;
        }
    }

    private static void InitializeRowVersions(IUpdateEntry entry)
    {
        foreach (var property in StoredProperties.RowVersions(entry.EntityType))
        {
            var current = entry.GetCurrentValue(property);
            if (current is null || Convert.ToInt64(current, System.Globalization.CultureInfo.InvariantCulture) == 0)
            {
                var first =
                    Convert.ChangeType(1, Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType,
                        System.Globalization.CultureInfo.InvariantCulture);
                entry.SetStoreGeneratedValue(property, first);
            }
        }
    }

    /// <summary><c>{_id: ..., token: original}</c>: the document as this context last saw it.</summary>
    private static BsonDocument FilterFor(IUpdateEntry entry)
    {
        var filter = new BsonDocument(TabernacleModelExtensions.IdElementName, DocumentWriter.IdOf(entry, original: true));
        foreach (var (property, name) in StoredProperties.ConcurrencyTokens(entry.EntityType))
        {
            filter[name] = PropertyBson.ToBson(property, entry.GetOriginalValue(property));
        }

        return filter;
    }

    /// <summary>A numeric concurrency token the provider maintains (<c>[Timestamp]</c> or <c>IsRowVersion()</c> on an integer).</summary>
    public static bool IsRowVersion(IReadOnlyProperty property) =>
        property.IsConcurrencyToken
        && property.ValueGenerated == ValueGenerated.OnAddOrUpdate
        && (Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType) is var type
        && (type == typeof(int) || type == typeof(long) || type == typeof(uint) || type == typeof(ulong) || type == typeof(short));

    private static object NextRowVersion(IReadOnlyProperty property, object? original)
    {
        var type = Nullable.GetUnderlyingType(property.ClrType) ?? property.ClrType;
        var next = (original is null ? 0L : Convert.ToInt64(original, System.Globalization.CultureInfo.InvariantCulture)) + 1;
        return Convert.ChangeType(next, type, System.Globalization.CultureInfo.InvariantCulture);
    }
}
