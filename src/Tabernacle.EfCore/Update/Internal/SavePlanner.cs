using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking.Internal;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Update;
using MongoDB.Bson;
using MongoDB.Driver;
using Tabernacle.EfCore.Storage.Internal;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// Plans a save: one operation per root document (a changed owned entity rewrites its root's document), grouped by
/// collection into bulk writes, and described for the command log.
/// </summary>
internal static class SavePlanner
{
    private static readonly IReadOnlySet<INavigation> NoEmbeddings = new HashSet<INavigation>();

    /// <summary>
    /// One operation per root document to write; a changed owned entity makes its root document's update, which
    /// rewrites the owned document or array it is in (and only those: unchanged owned elements are left alone).
    /// </summary>
    public static List<SaveOperation> Plan(IList<IUpdateEntry> entries)
    {
        // Most saves hold root entries only: one operation per entry, straight away. Owned entries (rare, and few) are
        // grouped under their roots first; only then is a set of changed navigations built, for the roots that have one.
        var plan = new List<SaveOperation>(entries.Count);
        Dictionary<IUpdateEntry, HashSet<INavigation>>? changedEmbeddings = null;
        List<IUpdateEntry>? roots = null;
        foreach (var entry in entries)
        {
            if (entry.EntityType.FindOwnership() is null && changedEmbeddings is null)
            {
                if (SaveOperation.Create(entry, NoEmbeddings) is { } operation)
                {
                    plan.Add(operation);
                }

                continue;
            }

            if (changedEmbeddings is null)
            {
                // From here on every entry goes through the grouping, including the roots already planned: start over.
                changedEmbeddings = [];
                roots = [];
                plan.Clear();
                foreach (var earlier in entries)
                {
                    if (ReferenceEquals(earlier, entry))
                    {
                        break;
                    }

                    Group(earlier, changedEmbeddings, roots);
                }
            }

            Group(entry, changedEmbeddings, roots!);
        }

        if (changedEmbeddings is not null)
        {
            foreach (var root in roots!)
            {
                if (SaveOperation.Create(root, changedEmbeddings.TryGetValue(root, out var navigations) ? navigations : NoEmbeddings)
                    is { } operation)
                {
                    plan.Add(operation);
                }
            }
        }

        return plan;
    }

    // An unchanged root whose owned entities changed is updated (see SaveOperation) without marking its own properties
    // modified, so only the changed owned documents are written.
    private static void Group(IUpdateEntry entry, Dictionary<IUpdateEntry, HashSet<INavigation>> changedEmbeddings,
        List<IUpdateEntry> roots)
    {
        var (root, embedding) = RootOf(entry);
        var known = changedEmbeddings.TryGetValue(root, out var navigations);
        if (!known)
        {
            roots.Add(root);
            changedEmbeddings[root] = navigations = [];
        }

        if (embedding is not null)
        {
            navigations!.Add(embedding);
        }
    }

    // The root document's entry and the root's owned navigation that the entry is embedded under (null for the root).
    private static (IUpdateEntry Root, INavigation? Embedding) RootOf(IUpdateEntry entry)
    {
        INavigation? embedding = null;
        var current = (InternalEntityEntry)entry;
        while (current.EntityType.FindOwnership() is { } ownership)
        {
            embedding = ownership.PrincipalToDependent;
            current = current.StateManager.FindPrincipal(current, ownership)
                ?? throw new InvalidOperationException(
                    $"The owned '{current.EntityType.DisplayName()}' is not attached to an owner " +
                        $"'{ownership.PrincipalEntityType.DisplayName()}'; add it to its owner's navigation before saving.");
        }

        return (current, embedding);
    }

    // The operations of each collection, in plan order: the plan itself when it writes one collection (the usual case).
    public static IEnumerable<List<SaveOperation>> ByCollection(List<SaveOperation> plan)
    {
        var first = plan[0].CollectionName;
        return plan.TrueForAll(o => o.CollectionName == first) ? [plan] : plan.GroupBy(o => o.CollectionName).Select(g => g.ToList());
    }

    public static WriteModel<SaveDocument>[] Models(List<SaveOperation> operations)
    {
        var models = new WriteModel<SaveDocument>[operations.Count];
        for (var i = 0; i < models.Length; i++)
        {
            models[i] = operations[i].Model;
        }

        return models;
    }

    public static void Complete(List<SaveOperation> plan)
    {
        foreach (var operation in plan)
        {
            foreach (var (property, value) in operation.NewTokenValues)
            {
                operation.Entry.SetStoreGeneratedValue(property, value);
            }
        }
    }

    // The bulk write as shell syntax, for the command log (values are hidden there unless sensitive data logging is on).
    // A large batch shows its first operations and how many more there are.
    private const int DescribedOperations = 20;

    public static string Describe(string collection, List<SaveOperation> operations)
    {
        var shown = operations.Take(DescribedOperations).Select(Describe);
        var more = operations.Count > DescribedOperations ? $", /* and {operations.Count - DescribedOperations} more */" : "";
        return $"db.{collection}.bulkWrite([{string.Join(", ", shown)}{more}])";
    }

    public static string Describe(SaveOperation operation) => operation.Model switch
    {
        InsertOneModel<SaveDocument> insert =>
            ShellSyntax.Of(new BsonDocument("insertOne", new BsonDocument("document", insert.Document.ToBsonDocument()))),
        UpdateOneModel<SaveDocument> => ShellSyntax.Of(new BsonDocument("updateOne", new BsonDocument
        {
            { "filter", operation.Filter },
            { "update", operation.Update },
        })),
        DeleteOneModel<SaveDocument> => ShellSyntax.Of(new BsonDocument("deleteOne", new BsonDocument("filter", operation.Filter))),
        _ => operation.Model.ModelType.ToString(),
    };
}
