namespace Tabernacle.EfCore;

/// <summary>
/// Names the MongoDB collection an entity type is stored in. Fluent <c>ToCollection(...)</c> wins over it; it wins over
/// a nested <c>Meta</c> class's <c>Collection</c> constant and over the context's <c>CollectionNaming</c> rule.
/// Only the root type of a hierarchy names the collection: derived types share their root's.
/// </summary>
/// <param name="name">The collection name.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false, Inherited = false)]
public sealed class CollectionAttribute(string name) : Attribute
{
    /// <summary>The collection name.</summary>
    public string Name { get; } = string.IsNullOrWhiteSpace(name)
        ? throw new ArgumentException("A collection name cannot be empty.", nameof(name)) : name;
}
