using MongoDB.Bson;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>An update operator applied to the field at the end of one path.</summary>
internal abstract class ModifierNode : UpdateNode
{
    public override bool CreatesMissing => true;

    public override bool AllowsNonViablePath => false;

    /// <summary>What to do with the field whose current value is <paramref name="current"/> (<c>null</c> when missing).</summary>
    public abstract ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context);
}
