using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>What one application of an operator update needs beyond the document: the query match, time, upsert flag.</summary>
internal sealed class UpdateContext
{
    public UpdateContext(BsonDocument document, MatchDetails? match, bool isUpsertInsert, DateTime now, BsonValueComparer comparer,
        ArrayFilterSet arrayFilters, int renameCount)
    {
        Document = document;
        Match = match;
        IsUpsertInsert = isUpsertInsert;
        Now = now;
        Comparer = comparer;
        ArrayFilters = arrayFilters;
        RenameValues = renameCount == 0 ? [] : new BsonValue?[renameCount];
    }

    /// <summary>The document being updated (a copy of the original).</summary>
    public BsonDocument Document { get; }

    public MatchDetails? Match { get; }

    public bool IsUpsertInsert { get; }

    public DateTime Now { get; }

    public BsonValueComparer Comparer { get; }

    public ArrayFilterSet ArrayFilters { get; }

    /// <summary>The value each <c>$rename</c> moves, read before any operator runs (<c>null</c> when the source is missing).</summary>
    public BsonValue?[] RenameValues { get; }

    /// <summary>The document's <c>_id</c> as <c>{_id: ...}</c>, the way MongoDB's error messages identify a document.</summary>
    public string DescribeDocument() => Document.TryGetValue("_id", out var id) ? Paths.ShellFormat.FormatField("_id", id) : "{}";

    /// <summary>The array position the positional <c>$</c> stands for.</summary>
    public int PositionalIndex() => Match?.ElemMatchIndex
        ?? throw new MongoErrorException(ErrorCodes.BadValue, "The positional operator did not find the match needed from the query.");
}

/// <summary>Where a modifier sits: the field's own name and the concrete path to it (positional operators resolved).</summary>
internal readonly record struct ModifierSite(string FieldName, string Path, bool ThroughArray);

/// <summary>What a modifier does to its field.</summary>
internal readonly struct ModifierOutcome
{
    private ModifierOutcome(int kind, BsonValue? value)
    {
        Kind = kind;
        Value = value;
    }

    public static ModifierOutcome None { get; } = new(0, null);

    public static ModifierOutcome Remove { get; } = new(2, null);

    /// <summary>0: leave the field alone, 1: set it to <see cref="Value"/>, 2: remove it.</summary>
    public int Kind { get; }

    public BsonValue? Value { get; }

    public static ModifierOutcome Set(BsonValue value) => new(1, value);
}
