using Microsoft.EntityFrameworkCore.Update;

namespace Tabernacle.EfCore.Update.Internal;

/// <summary>
/// A step of SaveChanges that runs around the writes: before (timestamps, defaults, validation, before-save hooks;
/// throwing aborts the save with nothing written) and after they succeeded (after-save hooks).
/// Registered as scoped services; run in registration order.
/// </summary>
internal interface ISaveStage
{
    /// <summary>Runs before anything is written; may change the entries' values or throw to abort.</summary>
    ValueTask BeforeSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken);

    /// <summary>Runs once everything was written (and committed).</summary>
    ValueTask AfterSaveAsync(IList<IUpdateEntry> entries, bool async, CancellationToken cancellationToken);
}
