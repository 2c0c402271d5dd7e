using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using Microsoft.EntityFrameworkCore.Storage;

namespace Tabernacle.EfCore.Query.Internal.Expressions;

/// <summary>
/// Where an entity's values are in the result: the row document itself (<see cref="Path"/> empty), or a document
/// embedded in it (an owned navigation). It stands in an entity shaper's value buffer slot until the shaper is
/// compiled, when it becomes real code that reads the document.
/// </summary>
internal sealed class EntityDocumentExpression(IEntityType entityType, string path, EntityDocumentExpression? owner = null,
    INavigation? navigation = null, string? joinedElement = null)
    : Expression, IPrintableExpression
{
    /// <summary>
    /// For an entity of another collection joined into the row (<c>$lookup</c>): the element of the owner document that
    /// holds it. Its values do not repeat an owner's key, unlike an owned entity's.
    /// </summary>
    public string? JoinedElement { get; } = joinedElement;

    /// <summary>The row-level document this one is part of (itself for a row).</summary>
    public EntityDocumentExpression Root => Owner?.Root ?? this;

    /// <summary>A document of another collection joined at <paramref name="element"/> of this one.</summary>
    public EntityDocumentExpression Joined(IEntityType joinedType, string element) =>
        new(joinedType, Path + element + ".", this, null, element);

    public IEntityType EntityType { get; } = entityType;

    /// <summary>The dotted path of this document from the row root, with a trailing dot ("" for the row itself).</summary>
    public string Path { get; } = path;

    /// <summary>The document this one is embedded in, for owned entity types.</summary>
    public EntityDocumentExpression? Owner { get; } = owner;

    /// <summary>The owned navigation this document is the value of.</summary>
    public INavigation? Navigation { get; } = navigation;

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type => typeof(ValueBuffer);

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    /// <summary>The document of the owned navigation <paramref name="ownedNavigation"/> of this entity.</summary>
    public EntityDocumentExpression Embedded(INavigation ownedNavigation) =>
        new(ownedNavigation.TargetEntityType, Path + Tabernacle.EfCore.TabernacleModelExtensions.GetElementName(ownedNavigation) + ".",
            this, ownedNavigation);

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append($"DOCUMENT({EntityType.DisplayName()} at '{Path}')");
}

/// <summary>A scalar read from the row document (a projected property, or an aggregate's result), typed as the CLR value.</summary>
internal sealed class DocumentValueExpression(string path, Type type, IReadOnlyProperty? property, CoreTypeMapping? mapping,
    EntityDocumentExpression? root = null)
    : Expression, IPrintableExpression
{
    public string Path { get; } = path;

    /// <summary>
    /// The row document the value is read from, when known: a subquery's projection may read values of the row it is
    /// joined into, which stay where they are when the subquery's own documents move (<see cref="DocumentRebaser"/>).
    /// </summary>
    public EntityDocumentExpression? Root { get; } = root;

    public new IReadOnlyProperty? Property { get; } = property;

    public CoreTypeMapping? TypeMapping { get; } = mapping;

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type { get; } = type;

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append($"VALUE('{Path}')");
}

/// <summary>The items of an owned collection, each shaped by <see cref="InnerShaper"/>.</summary>
internal sealed class EmbeddedCollectionExpression(EntityDocumentExpression owner, INavigation navigation, Expression innerShaper,
    Type type, bool detached = false)
    : Expression, IPrintableExpression
{
    /// <summary>
    /// Whether the items are plain objects for client code in a projection (<c>x.Reviews.Where(...).Select(...)</c>)
    /// rather than entities: owned entities cannot be tracked without their owner.
    /// </summary>
    public bool Detached { get; } = detached;

    public EmbeddedCollectionExpression AsDetached() => new(Owner, Navigation, InnerShaper, Type, detached: true);

    public EntityDocumentExpression Owner { get; } = owner;

    public INavigation Navigation { get; } = navigation;

    /// <summary>
    /// A shaper whose value buffer is <see cref="ItemDocument"/>, wrapped in the includes of the items' own owned
    /// navigations when they have any (owned types inside owned types).
    /// </summary>
    public Expression InnerShaper { get; } = innerShaper;

    public EntityDocumentExpression ItemDocument =>
        (EntityDocumentExpression)((StructuralTypeShaperExpression)Entity(InnerShaper)).ValueBufferExpression;

    private static Expression Entity(Expression shaper) => shaper is IncludeExpression include ? Entity(include.EntityExpression) : shaper;

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type { get; } = type;

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append($"EMBEDDED_COLLECTION({Navigation.Name})");
}

/// <summary>The documents of another collection joined into the row as an array (<c>$lookup</c>), each shaped by <see
/// cref="InnerShaper"/>.</summary>
internal sealed class JoinedCollectionExpression(
    EntityDocumentExpression owner, string element, Expression innerShaper, Type type, EntityDocumentExpression? itemRoot = null)
    : Expression, IPrintableExpression
{
    /// <summary>The document each item's values are read from (also when the items are not entities), when known.</summary>
    public EntityDocumentExpression? ItemRoot { get; } = itemRoot
        ?? (Entity(innerShaper) as StructuralTypeShaperExpression)?.ValueBufferExpression as EntityDocumentExpression;

    public EntityDocumentExpression Owner { get; } = owner;

    public string Element { get; } = element;

    /// <summary>A shaper over one item, whose documents are rooted at <see cref="ItemDocument"/>.</summary>
    public Expression InnerShaper { get; } = innerShaper;

    public EntityDocumentExpression? ItemDocument =>
        (Entity(InnerShaper) as StructuralTypeShaperExpression)?.ValueBufferExpression as EntityDocumentExpression;

    // An entity with owned navigations arrives wrapped in EF Core's includes of them (Order.Lines): its document is the entity's.
    private static Expression Entity(Expression shaper) => shaper is IncludeExpression include ? Entity(include.EntityExpression) : shaper;

    public Type ElementType => InnerShaper.Type;

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type { get; } = type;

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    public void Print(ExpressionPrinter expressionPrinter) => expressionPrinter.Append($"JOINED_COLLECTION({Element})");
}

/// <summary>
/// A complex collection of the entity (or complex object) stored in <see cref="Owner"/>: an array of documents at
/// <see cref="Path"/> within it, whose elements are plain objects (neither entities nor tracked on their own).
/// </summary>
internal sealed class ComplexCollectionExpression(EntityDocumentExpression owner, IComplexProperty complexProperty, Type type)
    : Expression, IPrintableExpression
{
    public EntityDocumentExpression Owner { get; } = owner;

    public IComplexProperty ComplexProperty { get; } = complexProperty;

    /// <summary>The array's dotted path from the row root.</summary>
    public string Path => Owner.Path + Tabernacle.EfCore.Metadata.Internal.FieldPaths.InEntity(ComplexProperty);

    public override ExpressionType NodeType => ExpressionType.Extension;

    public override Type Type { get; } = type;

    protected override Expression VisitChildren(ExpressionVisitor visitor) => this;

    public void Print(ExpressionPrinter expressionPrinter) =>
        expressionPrinter.Append($"COMPLEX_COLLECTION({ComplexProperty.Name} at '{Path}')");
}
