namespace Tabernacle.EfCore;

/// <summary>How a collection is named when neither <c>ToCollection</c>, <c>[Collection]</c> nor a nested <c>Meta</c> class names
/// it.</summary>
public enum CollectionNaming
{
    /// <summary>The entity type's name, lower-cased and pluralised: <c>Product</c> → <c>products</c>, <c>Person</c> → <c>people</c>. The
    /// default.</summary>
    PluralizedLowerCase,

    /// <summary>The name of the <c>DbSet</c> property that exposes the entity type (falling back to the type name).</summary>
    DbSetName,

    /// <summary>The entity type's CLR name as declared.</summary>
    AsDeclared,
}

/// <summary>How element names derive from property names when nothing more specific names them.</summary>
public enum ElementNaming
{
    /// <summary>The property name as declared (<c>EventType</c>). The default.</summary>
    AsDeclared,

    /// <summary>camelCase (<c>eventType</c>).</summary>
    CamelCase,

    /// <summary>snake_case (<c>event_type</c>), as TabernacleORM writes documents.</summary>
    SnakeCase,
}
