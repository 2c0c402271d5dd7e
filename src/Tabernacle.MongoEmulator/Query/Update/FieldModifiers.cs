using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Paths;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary><c>$set</c>, and <c>$setOnInsert</c> which only acts when an upsert inserts.</summary>
internal sealed class SetModifier(BsonValue value, bool onInsertOnly) : ModifierNode
{
    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context)
    {
        if (onInsertOnly && !context.IsUpsertInsert)
        {
            return ModifierOutcome.None;
        }

        return ModifierOutcome.Set(value.DeepClone());
    }
}

/// <summary><c>$unset</c>: removes the field (an array element becomes null).</summary>
internal sealed class UnsetModifier : ModifierNode
{
    public static UnsetModifier Instance { get; } = new();

    public override bool CreatesMissing => false;

    public override bool AllowsNonViablePath => true;

    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context) =>
        current is null ? ModifierOutcome.None : ModifierOutcome.Remove;
}

/// <summary><c>$inc</c> and <c>$mul</c>: numeric only; a missing field becomes the increment, or a zero of the multiplier's type.</summary>
internal sealed class ArithmeticModifier(string op, BsonValue operand) : ModifierNode
{
    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context)
    {
        var isInc = op == "$inc";
        if (current is null)
        {
            return ModifierOutcome.Set(isInc ? operand : NumericArithmetic.Multiply(operand, new BsonInt32(0))!);
        }

        if (!BsonTypeNames.IsNumber(current))
        {
            throw new MongoErrorException(
                ErrorCodes.TypeMismatch,
                $"Cannot apply {op} to a value of non-numeric type. {context.DescribeDocument()} has the field '{site.FieldName}' of " +
                    $"non-numeric type {BsonTypeNames.NameOf(current)}");
        }

        var result = isInc ? NumericArithmetic.Add(current, operand) : NumericArithmetic.Multiply(current, operand);
        if (result is null)
        {
            throw new MongoErrorException(
                ErrorCodes.BadValue,
                $"Failed to apply {op} operations to current value ((NumberLong){current}) for document {context.DescribeDocument()}");
        }

        return ModifierOutcome.Set(result);
    }
}

/// <summary><c>$min</c>/<c>$max</c>: replace when the new value sorts lower/higher in BSON order (collation-aware).</summary>
internal sealed class MinMaxModifier(BsonValue value, bool isMin) : ModifierNode
{
    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context)
    {
        if (current is null)
        {
            return ModifierOutcome.Set(value.DeepClone());
        }

        var cmp = context.Comparer.Compare(value, current);
        return (isMin ? cmp < 0 : cmp > 0) ? ModifierOutcome.Set(value.DeepClone()) : ModifierOutcome.None;
    }
}

/// <summary><c>$currentDate</c>: the update's time as a date or a timestamp.</summary>
internal sealed class CurrentDateModifier(bool asTimestamp) : ModifierNode
{
    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context)
    {
        var now = DateTime.SpecifyKind(context.Now, DateTimeKind.Utc);
        if (!asTimestamp)
        {
            return ModifierOutcome.Set(new BsonDateTime(now));
        }

        var seconds = (int)new DateTimeOffset(now).ToUnixTimeSeconds();
        return ModifierOutcome.Set(new BsonTimestamp(seconds, 1));
    }
}

/// <summary>The destination half of <c>$rename</c>: receives the value read from the source before the update ran.</summary>
internal sealed class RenameDestinationModifier(int renameIndex, string source) : ModifierNode
{
    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context)
    {
        var value = context.RenameValues[renameIndex];
        if (value is null)
        {
            return ModifierOutcome.None;
        }

        if (site.ThroughArray)
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                $"The destination field cannot be an array element, '{site.Path}' in doc with {source}");
        }

        return ModifierOutcome.Set(value);
    }
}

/// <summary>The source half of <c>$rename</c>: removes the field whose value moved.</summary>
internal sealed class RenameSourceModifier(int renameIndex) : ModifierNode
{
    public override bool CreatesMissing => false;

    public override bool AllowsNonViablePath => true;

    public override ModifierOutcome Apply(BsonValue? current, ModifierSite site, UpdateContext context) =>
        current is not null && context.RenameValues[renameIndex] is not null ? ModifierOutcome.Remove : ModifierOutcome.None;
}
