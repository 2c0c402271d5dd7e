using Microsoft.EntityFrameworkCore;

namespace Tabernacle.EfCore;

/// <summary>
/// Implemented by an entity (or an owned entity) that wants to run code before it is written by <c>SaveChanges</c>.
/// Throwing aborts the whole save: nothing is written.
/// </summary>
/// <remarks>
/// Order within one save: default values and timestamps are applied, then the before-save hooks run, then validation,
/// then the writes. Hooks run for added entities, then modified ones, then deleted ones, each group in the change
/// tracker's order (for entities added to a new context, the order they were added in). Values a hook changes on its
/// own entity are saved; entities a hook adds or changes elsewhere are saved by the next <c>SaveChanges</c>.
/// </remarks>
public interface IBeforeSave
{
    /// <summary>Called before the entity is written.</summary>
    /// <param name="state">What the save does with the entity: <see cref="EntityState.Added"/>, <see cref="EntityState.Modified"/> or <see
    /// cref="EntityState.Deleted"/>.</param>
    void BeforeSave(EntityState state);
}

/// <summary>
/// The asynchronous <see cref="IBeforeSave"/>: called by <c>SaveChangesAsync</c> (after <see cref="IBeforeSave.BeforeSave"/>
/// when an entity implements both). A synchronous <c>SaveChanges</c> of such an entity throws before anything is
/// written, since waiting on asynchronous code synchronously can deadlock.
/// </summary>
public interface IBeforeSaveAsync
{
    /// <summary>Called before the entity is written. Throwing aborts the whole save: nothing is written.</summary>
    /// <param name="state">What the save does with the entity: added, modified or deleted.</param>
    /// <param name="cancellationToken">The save's cancellation token.</param>
    ValueTask BeforeSaveAsync(EntityState state, CancellationToken cancellationToken);
}

/// <summary>
/// Implemented by an entity (or an owned entity) that wants to run code after <c>SaveChanges</c> wrote it (and the
/// transaction, if any, committed). Hooks run in the same order as the before-save hooks.
/// </summary>
public interface IAfterSave
{
    /// <summary>Called after the entity was written.</summary>
    /// <param name="state">What the save did with the entity: <see cref="EntityState.Added"/>, <see cref="EntityState.Modified"/> or <see
    /// cref="EntityState.Deleted"/>.</param>
    void AfterSave(EntityState state);
}

/// <summary>
/// The asynchronous <see cref="IAfterSave"/>: called by <c>SaveChangesAsync</c> (after <see cref="IAfterSave.AfterSave"/>
/// when an entity implements both). A synchronous <c>SaveChanges</c> of such an entity throws before anything is written.
/// </summary>
public interface IAfterSaveAsync
{
    /// <summary>Called after the entity was written.</summary>
    /// <param name="state">What the save did with the entity: added, modified or deleted.</param>
    /// <param name="cancellationToken">The save's cancellation token.</param>
    ValueTask AfterSaveAsync(EntityState state, CancellationToken cancellationToken);
}
