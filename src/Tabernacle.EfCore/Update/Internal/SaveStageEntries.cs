using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking.Internal;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Update;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>What the convention stages share: which entries a save writes, in which order, and how to set a value.</summary>
internal static class SaveStageEntries
{
    /// <summary>
    /// The entries a save writes, in the stages' deterministic order: added, then modified, then deleted, each group in
    /// the change tracker's order; followed by the unchanged owners of changed owned entities (their documents are
    /// rewritten, so the save modifies them).
    /// </summary>
    public static List<(IUpdateEntry Entry, EntityState State)> Ordered(IList<IUpdateEntry> entries)
    {
        // The change tracker's entries are distinct and each has one state, so only the owners of owned entries (several
        // may share one) need a set to be added once; it is built only when there is an owned entry.
        var result = new List<(IUpdateEntry Entry, EntityState State)>(entries.Count);
        foreach (var state in (ReadOnlySpan<EntityState>)[EntityState.Added, EntityState.Modified, EntityState.Deleted])
        {
            foreach (var entry in entries)
            {
                if (entry.EntityState == state)
                {
                    result.Add((entry, state));
                }
            }
        }

        HashSet<IUpdateEntry>? seen = null;
        foreach (var entry in entries)
        {
            if (entry.EntityType.FindOwnership() is not null && UnchangedRootOf(entry) is { } root
                && (seen ??= [.. result.Select(r => r.Entry)]).Add(root))
            {
                result.Add((root, EntityState.Modified));
            }
        }

        return result;
    }

    /// <summary>The document's root entry when it is unchanged (its owned entity changed), else <c>null</c>.</summary>
    private static IUpdateEntry? UnchangedRootOf(IUpdateEntry entry)
    {
        var current = (InternalEntityEntry)entry;
        while (current.EntityType.FindOwnership() is { } ownership)
        {
            if (current.StateManager.FindPrincipal(current, ownership) is not { } principal)
            {
                return null;
            }

            current = principal;
        }

        return current.EntityState == EntityState.Unchanged ? current : null;
    }

    /// <summary>
    /// Adds an entry a stage modified while it was unchanged (the owner of a changed owned entity) to the save's entries, so that EF
    /// Core accepts its changes once the save succeeded instead of leaving it modified for the next save.
    /// </summary>
    public static void Include(IList<IUpdateEntry> entries, IUpdateEntry entry)
    {
        if (!entries.IsReadOnly)
        {
            entries.Add(entry);
        }
    }

    /// <summary>Sets a property's current value through the change tracker, so an update writes it.</summary>
    public static void SetValue(IUpdateEntry entry, IProperty property, object? value) => ((InternalEntityEntry)entry)[property] = value;

    /// <summary>The entity object of an entry.</summary>
    public static object EntityOf(IUpdateEntry entry) => ((InternalEntityEntry)entry).Entity;
}
