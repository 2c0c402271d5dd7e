using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking.Internal;
using Microsoft.EntityFrameworkCore.Update;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// Calls <see cref="IBeforeSave"/>/<see cref="IBeforeSaveAsync"/> on the entities a save writes, before the writes
/// (after defaults and timestamps, before validation), and <see cref="IAfterSave"/>/<see cref="IAfterSaveAsync"/>
/// after they succeeded, in the order of <see cref="SaveStageEntries.Ordered"/>, each with the state it is saved with.
/// </summary>
internal sealed class HooksStage(IChangeDetector changeDetector) : ISaveStage
{
    // The entities and states of the save in progress (a context runs one save at a time), for the after-save hooks.
    private List<(object Entity, EntityState State)>? _saving;

    public ValueTask BeforeSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken)
    {
        // Most saves have no entity with a hook: then there is nothing to order or to remember for after the save.
        foreach (var entry in entries)
        {
            if (SaveStageEntries.EntityOf(entry) is IBeforeSave or IBeforeSaveAsync or IAfterSave or IAfterSaveAsync)
            {
                return RunBeforeAsync(entries, async, cancellationToken);
            }
        }

        _saving = null;
        return ValueTask.CompletedTask;
    }

    private async ValueTask RunBeforeAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken)
    {
        var ordered = SaveStageEntries.Ordered(entries);
        var saving = new List<(object Entity, EntityState State)>(ordered.Count);
        foreach (var (entry, state) in ordered)
        {
            var entity = SaveStageEntries.EntityOf(entry);
            saving.Add((entity, state));
            if (!async && entity is IBeforeSaveAsync or IAfterSaveAsync)
            {
                throw new InvalidOperationException(
                    $"The entity '{entry.EntityType.DisplayName()}' implements " +
                        $"{(entity is IBeforeSaveAsync ? nameof(IBeforeSaveAsync) : nameof(IAfterSaveAsync))}, which only " +
                            $"SaveChangesAsync can call; call SaveChangesAsync, or implement {nameof(IBeforeSave)}/{nameof(IAfterSave)} " +
                                $"instead. Nothing was saved.");
            }
        }

        _saving = null;
        foreach (var (entry, state) in ordered)
        {
            var entity = SaveStageEntries.EntityOf(entry);
            var called = false;
            if (entity is IBeforeSave hook)
            {
                hook.BeforeSave(state);
                called = true;
            }

            if (async && entity is IBeforeSaveAsync asyncHook)
            {
                await asyncHook.BeforeSaveAsync(state, cancellationToken).ConfigureAwait(false);
                called = true;
            }

            // Changes a hook made to its own entity after DetectChanges ran must still reach the update.
            if (called && state != EntityState.Deleted)
            {
                changeDetector.DetectChanges((InternalEntityEntry)entry);
            }
        }

        _saving = saving;
    }

    public async ValueTask AfterSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken)
    {
        var saving = _saving ?? [];
        _saving = null;
        foreach (var (entity, state) in saving)
        {
            if (entity is IAfterSave hook)
            {
                hook.AfterSave(state);
            }

            if (async && entity is IAfterSaveAsync asyncHook)
            {
                await asyncHook.AfterSaveAsync(state, cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
