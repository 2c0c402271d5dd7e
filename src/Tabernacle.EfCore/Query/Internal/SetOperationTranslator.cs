using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Query;
using MongoDB.Bson;
using Tabernacle.EfCore.Query.Internal.Expressions;

namespace Tabernacle.EfCore.Query.Internal;

/// <summary>The four LINQ set operations.</summary>
internal enum SetOperation
{
    Concat,
    Union,
    Intersect,
    Except,
}

/// <summary>
/// Concat, Union, Intersect and Except of two queries, as <c>$unionWith</c>. MongoDB appends the second query's
/// documents as they are, so two sides that do not read the same documents (different projections, different
/// collections, an entity joined on one side and queried on the other) are first brought to one shape: each side
/// ends with a <c>$project</c> that puts every value its shaper reads (a property, a whole entity document, a computed
/// value) in a numbered field <c>sN</c>, and the result is shaped from those fields. The distinct operations then
/// group by those fields (by <c>_id</c> for an entity), and Intersect/Except tag each document with its side to keep
/// the groups seen on both sides, or on the first side only.
/// </summary>
internal sealed class SetOperationTranslator(Func<Expression, MongoQueryExpression, MqlExpression?> translateValue)
{
    private const string SideField = "__side";

    public string? TranslationErrorDetails { get; private set; }

    /// <summary>The shaper of the combined query (stages added to <paramref name="first"/>), or <c>null</c> with details.</summary>
    public Expression? Translate(
        MongoQueryExpression first, Expression shaper1, MongoQueryExpression second, Expression shaper2, SetOperation operation)
    {
        TranslationErrorDetails = null;
        if (SameRootEntities(first, shaper1, second, shaper2) is { } entityShaper)
        {
            // Whole documents of one collection on both sides: nothing to reshape, distinct by _id.
            AppendUnion(first, second, operation, first.RootDocument.EntityType.FindPrimaryKey() is null ? "$$ROOT" : "$_id");
            return entityShaper;
        }

        var plan = Plan(first, shaper1, second, shaper2, computed: false) ?? Plan(first, shaper1, second, shaper2, computed: true);
        if (plan is null)
        {
            TranslationErrorDetails ??= $"{operation} needs both sides to have the same shape: the same entity type, or the same members "
                + "in the same order, each read from the documents or computed by MQL (MongoDB's $unionWith appends the second "
                + "side's documents as they are).";
            return null;
        }

        first.AddStage(new ProjectStage(plan.Fields1, SideValue(operation, 1)));
        second.AddStage(new ProjectStage(plan.Fields2, SideValue(operation, 2)));
        AppendUnion(first, second, operation, GroupKey(plan));
        return plan.Shaper;
    }

    private static int? SideValue(SetOperation operation, int side) =>
        operation is SetOperation.Intersect or SetOperation.Except ? side : null;

    private static void AppendUnion(MongoQueryExpression first, MongoQueryExpression second, SetOperation operation, BsonValue key)
    {
        var tagged = operation is SetOperation.Intersect or SetOperation.Except;
        if (tagged && first.Stages.LastOrDefault() is not ProjectStage)
        {
            first.AddStage(new AddFieldsStage(SideField, new MqlConstantExpression(1, typeof(int))));
            second.AddStage(new AddFieldsStage(SideField, new MqlConstantExpression(2, typeof(int))));
        }

        first.AddStage(new UnionWithStage(second));
        if (operation == SetOperation.Concat)
        {
            return;
        }

        var group = new BsonDocument { { "_id", key }, { "d", new BsonDocument("$first", "$$ROOT") } };
        if (tagged)
        {
            group["sides"] = new BsonDocument("$addToSet", "$" + SideField);
        }

        first.AddStage(new BsonStage(new BsonDocument("$group", group)));
        if (operation == SetOperation.Intersect)
        {
            var both = new BsonDocument("sides", new BsonDocument("$all", new BsonArray { 1, 2 }));
            first.AddStage(new BsonStage(new BsonDocument("$match", both)));
        }
        else if (operation == SetOperation.Except)
        {
            first.AddStage(new BsonStage(new BsonDocument("$match", new BsonDocument("sides", new BsonDocument("$ne", 2)))));
        }

        first.AddStage(new BsonStage(new BsonDocument("$replaceRoot", new BsonDocument("newRoot", "$d"))));
    }

    private static BsonValue GroupKey(SlotPlan plan)
    {
        BsonValue Key(int i) => plan.Kinds[i] is { } entityType
            ? entityType.FindPrimaryKey() is null ? "$" + Name(i) : "$" + Name(i) + "._id"
            : "$" + Name(i);
        return plan.Kinds.Count == 1
            ? Key(0)
            : new BsonDocument(Enumerable.Range(0, plan.Kinds.Count).Select(i => new BsonElement(Name(i), Key(i))));
    }

    private static string Name(int slot) => "s" + slot;

    /// <summary>Both sides are whole documents of one collection (the same entity type, includes and all).</summary>
    private static Expression? SameRootEntities(
        MongoQueryExpression first, Expression shaper1, MongoQueryExpression second, Expression shaper2)
    {
        if (first.CollectionName != second.CollectionName
            || MemberBinder.UnwrapShaper(shaper1) is not
                { StructuralType: IEntityType type1, ValueBufferExpression: EntityDocumentExpression document1 }
            || MemberBinder.UnwrapShaper(shaper2) is not
                { StructuralType: IEntityType type2, ValueBufferExpression: EntityDocumentExpression document2 }
            || !ReferenceEquals(document1, first.RootDocument) || !ReferenceEquals(document2, second.RootDocument))
        {
            return null;
        }

        if (shaper1 is StructuralTypeShaperExpression plain1 && shaper2 is StructuralTypeShaperExpression)
        {
            // Two types of one hierarchy: the result is of the type both derive from.
            var common = type1.IsAssignableFrom(type2) ? type1 : type2.IsAssignableFrom(type1) ? type2 : null;
            return common is null ? null : new StructuralTypeShaperExpression(common, plain1.ValueBufferExpression, plain1.IsNullable);
        }

        var rebased2 = SlotRebaser.Rebase(shaper2, document2, document1);
        return type1 == type2 && shaper1.Print() == rebased2.Print() ? shaper1 : null;
    }

    /// <summary>What each side projects into the slot fields, and the shaper over those fields.</summary>
    private sealed record SlotPlan(
        Expression Shaper,
        IReadOnlyList<(string Field, MqlExpression Value)> Fields1,
        IReadOnlyList<(string Field, MqlExpression Value)> Fields2,
        IReadOnlyList<IEntityType?> Kinds);

    private SlotPlan? Plan(MongoQueryExpression first, Expression shaper1, MongoQueryExpression second, Expression shaper2, bool computed)
    {
        var extractor1 = new SlotExtractor(computed ? e => translateValue(e, first) : null);
        var extractor2 = new SlotExtractor(computed ? e => translateValue(e, second) : null);
        var template1 = extractor1.Visit(shaper1);
        var template2 = extractor2.Visit(shaper2);
        if (extractor1.Slots.Count != extractor2.Slots.Count || !ExpressionEqualityComparer.Instance.Equals(template1, template2))
        {
            return null;
        }

        var fields1 = new List<(string, MqlExpression)>();
        var fields2 = new List<(string, MqlExpression)>();
        var kinds = new List<IEntityType?>();
        var replacements = new List<Expression>();
        for (var i = 0; i < extractor1.Slots.Count; i++)
        {
            var (a, b) = (extractor1.Slots[i], extractor2.Slots[i]);
            if (Slot(first, a, i) is not { } slot1 || Slot(second, b, i) is not { } slot2)
            {
                return null;
            }

            if (slot1.EntityType != slot2.EntityType
                || slot1.Shaper.Print() != slot2.Shaper.Print()
                || !SameConverter(slot1.Shaper, slot2.Shaper))
            {
                TranslationErrorDetails = $"The set operation's sides differ in '{a.Print()}' and '{b.Print()}', "
                    + "which do not read the same kind of value.";
                return null;
            }

            fields1.Add((Name(i), slot1.Value));
            fields2.Add((Name(i), slot2.Value));
            kinds.Add(slot1.EntityType);
            replacements.Add(slot1.Shaper);
        }

        var shaper = new ReplacingExpressionVisitor(extractor1.Placeholders, replacements).Visit(template1!);
        return new SlotPlan(shaper, fields1, fields2, kinds);
    }

    private static bool SameConverter(Expression a, Expression b) =>
        a is not DocumentValueExpression x || b is not DocumentValueExpression y
        || x.TypeMapping?.Converter is null && y.TypeMapping?.Converter is null
        || x.TypeMapping?.Converter?.GetType() == y.TypeMapping?.Converter?.GetType()
            && x.TypeMapping?.Converter?.ProviderClrType == y.TypeMapping?.Converter?.ProviderClrType;

    private sealed record SlotValue(MqlExpression Value, Expression Shaper, IEntityType? EntityType);

    /// <summary>
    /// What one side projects into slot <paramref name="index"/> for <paramref name="node"/>, and how the result reads it back.
    /// </summary>
    private SlotValue? Slot(MongoQueryExpression query, Expression node, int index)
    {
        var field = Name(index);
        switch (node)
        {
            case DocumentValueExpression value:
            {
                // Missing and null are one value to a shaper but two to $group: make them one.
                var read = new MqlFieldExpression(value.Path, value.Type, value.Property, value.TypeMapping);
                return new SlotValue(
                    new MqlFunctionExpression("$ifNull", [read, new MqlConstantExpression(null, value.Type)], value.Type),
                    new DocumentValueExpression(field, value.Type, value.Property, value.TypeMapping),
                    null);
            }

            case ComputedSlot computed:
                return new SlotValue(
                    new MqlFunctionExpression("$ifNull", [computed.Value, new MqlConstantExpression(null, computed.Type)], computed.Type),
                    new DocumentValueExpression(
                        field, computed.Type, (computed.Value as MqlFieldExpression)?.Property, computed.Value.TypeMapping),
                    null);
        }

        if (MemberBinder.UnwrapShaper(node) is not
                { StructuralType: IEntityType entityType, ValueBufferExpression: EntityDocumentExpression document }
            || entityType.IsOwned()
            || document.Owner is not null && document.JoinedElement is null)
        {
            TranslationErrorDetails = $"'{node.Print()}' cannot be moved into the set operation's result: a set operation can combine "
                + "entities, their properties and values computed from them, not owned entities, complex values or collections "
                + "on their own.";
            return null;
        }

        var target = query.RootDocument.Joined(entityType, field);
        var shaper = SlotRebaser.Rebase(node, document, target);
        var whole = document.Path.Length == 0
            ? new MqlRawExpression("$$ROOT", typeof(object))
            : (MqlExpression)new MqlFieldExpression(document.Path.TrimEnd('.'), typeof(object), null, null);
        return new SlotValue(whole, shaper, entityType);
    }

    /// <summary>A value of a side's shaper that MQL computes (when the two sides compute it differently).</summary>
    private sealed class ComputedSlot(MqlExpression value, Type type) : Expression
    {
        public MqlExpression Value { get; } = value;

        public override Type Type { get; } = type;

        public override ExpressionType NodeType => ExpressionType.Extension;

        protected override Expression VisitChildren(ExpressionVisitor visitor) => this;
    }

    /// <summary>
    /// Replaces the values a shaper reads from the documents (and, when <c>translate</c> is given, the largest parts
    /// of it that MQL can compute) by numbered placeholders, leaving the client-side structure around them.
    /// </summary>
    private sealed class SlotExtractor(Func<Expression, MqlExpression?>? translate) : ExpressionVisitor
    {
        public List<Expression> Slots { get; } = [];

        public List<Expression> Placeholders { get; } = [];

        public override Expression? Visit(Expression? node)
        {
            switch (node)
            {
                case null:
                    return null;
                case DocumentValueExpression or StructuralTypeShaperExpression or IncludeExpression:
                    return Placeholder(node, node);
                case EmbeddedCollectionExpression or ComplexCollectionExpression or JoinedCollectionExpression or GroupingShaperExpression:
                    // Not movable into a slot: kept as a node, so the sides compare unequal unless they are the same object.
                    return node;
                case NewExpression or MemberInitExpression or ListInitExpression or NewArrayExpression or LambdaExpression
                    or UnaryExpression { NodeType: ExpressionType.Quote }:
                    return base.Visit(node);
            }

            if (translate is not null && JoinedCount(node) is { } count)
            {
                return Placeholder(node, new ComputedSlot(count, node.Type));
            }

            if (translate is not null && node.Type != typeof(void) && ContainsDocumentValue(node)
                && translate(node) is { } mql && mql is not MqlRawExpression)
            {
                return Placeholder(node, new ComputedSlot(mql, node.Type));
            }

            if (translate is not null && node is ConstantExpression or DefaultExpression && IsScalar(node.Type)
                && translate(node) is { } constant)
            {
                // Constants that differ between the sides (null on one side, a value on the other) become slots too.
                return Placeholder(node, new ComputedSlot(constant, node.Type));
            }

            return base.Visit(node);
        }

        /// <summary>
        /// The count of a joined collection (<c>c.Orders.Count</c>, <c>o.Details.Count()</c>, which the projection
        /// finishes on the client) as <c>$size</c> of the joined array, so the sides can exchange it.
        /// </summary>
        private static MqlExpression? JoinedCount(Expression node)
        {
            var collection = node switch
            {
                MethodCallExpression
                {
                    Method.Name: nameof(Enumerable.Count) or nameof(Enumerable.LongCount),
                    Arguments: [JoinedCollectionExpression joined],
                }
                    when ((MethodCallExpression)node).Method.DeclaringType == typeof(Enumerable) => joined,
                MemberExpression { Member.Name: "Count", Expression: JoinedCollectionExpression joined } => joined,
                _ => null,
            };
            if (collection is null || collection.Owner.Owner is not null)
            {
                return null;
            }

            var array = new MqlFieldExpression(collection.Element, collection.Type, null, null);
            return new MqlFunctionExpression("$size", [new MqlIfNullArrayExpression(array)], node.Type);
        }

        private static bool IsScalar(Type type)
        {
            var t = Nullable.GetUnderlyingType(type) ?? type;
            return t.IsPrimitive || t.IsEnum || t == typeof(string) || t == typeof(decimal) || t == typeof(DateTime)
                || t == typeof(DateTimeOffset)
                || t == typeof(Guid) || t == typeof(TimeSpan) || t == typeof(DateOnly) || t == typeof(TimeOnly);
        }

        private ParameterExpression Placeholder(Expression original, Expression slot)
        {
            var placeholder = Expression.Parameter(original.Type, "slot" + Slots.Count);
            Slots.Add(slot);
            Placeholders.Add(placeholder);
            return placeholder;
        }

        private static bool ContainsDocumentValue(Expression node)
        {
            var finder = new DocumentValueFinder();
            finder.Visit(node);
            return finder.Found && !finder.HasEntity;
        }

        private sealed class DocumentValueFinder : ExpressionVisitor
        {
            public bool Found { get; private set; }

            public bool HasEntity { get; private set; }

            public override Expression? Visit(Expression? node)
            {
                switch (node)
                {
                    case DocumentValueExpression:
                        Found = true;
                        return node;
                    case StructuralTypeShaperExpression or IncludeExpression or EmbeddedCollectionExpression or JoinedCollectionExpression
                        or ComplexCollectionExpression or GroupingShaperExpression:
                        HasEntity = true;
                        return node;
                    default:
                        return base.Visit(node);
                }
            }
        }
    }

    /// <summary>
    /// Moves an entity's shaper (with its includes) from where its document was in a side's rows to the slot document
    /// of the result. Documents of owned navigations and joined elements inside it are addressed from their owner, so
    /// they follow it; only paths (used by later filters and orderings) are rewritten.
    /// </summary>
    private sealed class SlotRebaser(EntityDocumentExpression from, EntityDocumentExpression to) : ExpressionVisitor
    {
        public static Expression Rebase(Expression shaper, EntityDocumentExpression from, EntityDocumentExpression to) =>
            new SlotRebaser(from, to).Visit(shaper);

        protected override Expression VisitExtension(Expression node) => node switch
        {
            // The moved entity may be missing on one side (a left join): the result reads it as nullable on both.
            StructuralTypeShaperExpression shaper when ReferenceEquals(shaper.ValueBufferExpression, from) && to.Owner is not null
                => shaper.Update(to).MakeNullable(),
            StructuralTypeShaperExpression shaper when shaper.ValueBufferExpression is EntityDocumentExpression document
                => shaper.Update(Move(document)),
            EntityDocumentExpression document => Move(document),
            DocumentValueExpression value when value.Path.StartsWith(from.Path, StringComparison.Ordinal)
                => new DocumentValueExpression(to.Path + value.Path[from.Path.Length..], value.Type, value.Property, value.TypeMapping),
            EmbeddedCollectionExpression collection => new EmbeddedCollectionExpression(
                Move(collection.Owner), collection.Navigation, collection.InnerShaper, collection.Type, collection.Detached),
            ComplexCollectionExpression complex
                => new ComplexCollectionExpression(Move(complex.Owner), complex.ComplexProperty, complex.Type),
            JoinedCollectionExpression joined
                => new JoinedCollectionExpression(Move(joined.Owner), joined.Element, joined.InnerShaper, joined.Type, joined.ItemRoot),
            IncludeExpression include => include.Update(Visit(include.EntityExpression), Visit(include.NavigationExpression)),
            _ => base.VisitExtension(node),
        };

        private EntityDocumentExpression Move(EntityDocumentExpression document)
        {
            if (ReferenceEquals(document, from))
            {
                return to;
            }

            if (document.Owner is null || !document.Path.StartsWith(from.Path, StringComparison.Ordinal) || !Within(document))
            {
                return document;
            }

            return new EntityDocumentExpression(
                document.EntityType,
                to.Path + document.Path[from.Path.Length..],
                Move(document.Owner),
                document.Navigation,
                document.JoinedElement);
        }

        private bool Within(EntityDocumentExpression document)
        {
            for (var current = document; current is not null; current = current.Owner)
            {
                if (ReferenceEquals(current, from))
                {
                    return true;
                }
            }

            return false;
        }
    }
}
