using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>The array a $push or $addToSet appends to: the field's array, or a new one when the field is missing.</summary>
internal static class ArrayTarget
{
    /// <summary>Anything other than an array or a missing field is BadValue, with the operator's own message.</summary>
    public static BsonArray ExistingOrNew(BsonValue? current, Func<string> notAnArray) => current switch
    {
        null => [],
        BsonArray array => array,
        _ => throw new MongoErrorException(ErrorCodes.BadValue, notAnArray()),
    };
}

/// <summary><c>$push</c> with its <c>$each</c>, <c>$position</c>, <c>$sort</c> and <c>$slice</c> clauses (applied in that order).</summary>
internal sealed class PushModifier(BsonArray values, int? position, int? slice, PushSort? sort) : ModifierNode
{
    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context)
    {
        var result = ArrayTarget.ExistingOrNew(current, () =>
            $"The field '{site.FieldName}' must be an array but is of type {BsonTypeNames.NameOf(current!)} in document " +
                $"{context.DescribeDocument()}");

        var insertAt = result.Count;
        if (position is { } p)
        {
            insertAt = p < 0 ? Math.Max(0, result.Count + p) : Math.Min(p, result.Count);
        }

        var items = new List<BsonValue>(values.Count);
        foreach (var value in values)
        {
            items.Add(value.DeepClone());
        }

        var all = result.ToList();
        all.InsertRange(insertAt, items);
        sort?.Sort(all, context.Comparer);
        if (slice is { } n)
        {
            all = n >= 0 ? all.Take(n).ToList() : all.Skip(Math.Max(0, all.Count + n)).ToList();
        }

        return ModifierOutcome.Set(new BsonArray(all));
    }
}

/// <summary>The <c>$sort</c> clause of <c>$push</c>: whole elements (1/-1) or fields of document elements.</summary>
internal sealed class PushSort(int direction, (FieldPath Path, int Direction)[]? fields)
{
    public void Sort(List<BsonValue> items, BsonValueComparer comparer)
    {
        // A stable sort, so equal elements keep their order as MongoDB's does.
        var ordered = fields is null
            ? items.OrderBy(v => v, Comparer(comparer, direction)).ToList()
            : items.OrderBy(v => v, new FieldsComparer(fields, comparer)).ToList();
        items.Clear();
        items.AddRange(ordered);
    }

    private static IComparer<BsonValue> Comparer(BsonValueComparer comparer, int direction) =>
        Comparer<BsonValue>.Create((a, b) => direction * comparer.Compare(a, b));

    private sealed class FieldsComparer((FieldPath Path, int Direction)[] fields, BsonValueComparer comparer) : IComparer<BsonValue>
    {
        public int Compare(BsonValue? x, BsonValue? y)
        {
            foreach (var (path, direction) in fields)
            {
                var cmp = comparer.Compare(Extract(x, path), Extract(y, path));
                if (cmp != 0)
                {
                    return direction * cmp;
                }
            }

            return 0;
        }

        private static BsonValue Extract(BsonValue? value, FieldPath path)
        {
            foreach (var part in path.Parts)
            {
                if (value is BsonDocument document && document.TryGetValue(part, out var next))
                {
                    value = next;
                }
                else
                {
                    return BsonNull.Value;
                }
            }

            return value ?? BsonNull.Value;
        }
    }
}

/// <summary><c>$addToSet</c> (with <c>$each</c>): appends values not already present (BSON equality, collation-aware).</summary>
internal sealed class AddToSetModifier(BsonArray values) : ModifierNode
{
    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context)
    {
        var result = ArrayTarget.ExistingOrNew(current, () =>
            $"Cannot apply $addToSet to non-array field. Field named '{site.FieldName}' has non-array type {BsonTypeNames.NameOf(current!)}");

        var changed = current is null;
        foreach (var value in values)
        {
            if (!Contains(result, value, context.Comparer))
            {
                result.Add(value.DeepClone());
                changed = true;
            }
        }

        return changed ? ModifierOutcome.Set(result) : ModifierOutcome.None;
    }

    private static bool Contains(BsonArray array, BsonValue value, BsonValueComparer comparer)
    {
        foreach (var item in array)
        {
            if (ComparisonMatcher.SameTypeBracket(item, value) && comparer.Compare(item, value) == 0)
            {
                return true;
            }
        }

        return false;
    }
}

/// <summary><c>$pop</c>: removes the first (-1) or last (1) element.</summary>
internal sealed class PopModifier(bool fromFront) : ModifierNode
{
    public override bool CreatesMissing => false;

    public override bool AllowsNonViablePath => true;

    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context)
    {
        if (current is null)
        {
            return ModifierOutcome.None;
        }

        if (current is not BsonArray array)
        {
            throw new MongoErrorException(ErrorCodes.TypeMismatch,
                $"Path '{site.Path}' contains an element of non-array type '{BsonTypeNames.NameOf(current)}'");
        }

        if (array.Count == 0)
        {
            return ModifierOutcome.None;
        }

        array.RemoveAt(fromFront ? 0 : array.Count - 1);
        return ModifierOutcome.Set(array);
    }
}

/// <summary><c>$pull</c> (a value or a condition) and <c>$pullAll</c> (a list of values): removes matching elements.</summary>
internal sealed class PullModifier(string op, Func<BsonValue, bool> shouldRemove) : ModifierNode
{
    public override bool CreatesMissing => false;

    public override bool AllowsNonViablePath => true;

    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context)
    {
        if (current is null)
        {
            return ModifierOutcome.None;
        }

        if (current is not BsonArray array)
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                op == "$pull" ? "Cannot apply $pull to a non-array value" : "$pullAll requires an array argument");
        }

        var removed = 0;
        for (var i = array.Count - 1; i >= 0; i--)
        {
            if (shouldRemove(array[i]))
            {
                array.RemoveAt(i);
                removed++;
            }
        }

        return removed == 0 ? ModifierOutcome.None : ModifierOutcome.Set(array);
    }
}
