using MongoDB.Bson;
using Tabernacle.MongoEmulator.Errors;
using Tabernacle.MongoEmulator.Query.Filters;

namespace Tabernacle.MongoEmulator.Query.Update;

/// <summary>
/// The <c>arrayFilters</c> of an update, by identifier: <c>$[x]</c> updates the elements <c>e</c> for which
/// <c>{x: e}</c> matches the filter on <c>x</c>.
/// </summary>
internal sealed class ArrayFilterSet
{
    private readonly Dictionary<string, QueryFilter> _filters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    public static ArrayFilterSet Empty { get; } = new();

    public static ArrayFilterSet Compile(BsonArray? arrayFilters, Collation? collation, BsonDocument? variables)
    {
        var set = new ArrayFilterSet();
        if (arrayFilters is null)
        {
            return set;
        }

        foreach (var item in arrayFilters)
        {
            if (item is not BsonDocument filter)
            {
                throw new MongoErrorException(ErrorCodes.TypeMismatch, "Each array filter must be an object");
            }

            var identifier = IdentifierOf(filter);
            if (!set._filters.TryAdd(identifier, QueryFilter.Compile(filter, collation, variables)))
            {
                throw new MongoErrorException(ErrorCodes.FailedToParse,
                    $"Found multiple array filters with the same top-level field name {identifier}");
            }
        }

        return set;
    }

    /// <summary>Records that a path uses <paramref name="identifier"/>; undefined identifiers are an error.</summary>
    public void MarkUsed(string identifier, string path)
    {
        if (!_filters.ContainsKey(identifier))
        {
            throw new MongoErrorException(ErrorCodes.BadValue, $"No array filter found for identifier '{identifier}' in path '{path}'");
        }

        _used.Add(identifier);
    }

    /// <summary>Every filter must be used by some path of the update.</summary>
    public void EnsureAllUsed(BsonValue update)
    {
        foreach (var identifier in _filters.Keys)
        {
            if (!_used.Contains(identifier))
            {
                throw new MongoErrorException(ErrorCodes.FailedToParse,
                    $"The array filter for identifier '{identifier}' was not used in the update {Paths.ShellFormat.Format(update)}");
            }
        }
    }

    public bool HasFilters => _filters.Count > 0;

    public bool Matches(string identifier, BsonValue element) => _filters[identifier].Matches(new BsonDocument(identifier, element));

    private static string IdentifierOf(BsonDocument filter)
    {
        string? identifier = null;
        foreach (var name in TopLevelFieldNames(filter))
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            var candidate = dot < 0 ? name : name[..dot];
            if (identifier is not null && identifier != candidate)
            {
                throw new MongoErrorException(ErrorCodes.FailedToParse,
                    $"Error parsing array filter :: caused by :: Expected a single top-level field name, found '{identifier}' and " +
                        $"'{candidate}'");
            }

            identifier = candidate;
        }

        if (identifier is null)
        {
            throw new MongoErrorException(ErrorCodes.FailedToParse,
                "Cannot use an expression without a top-level field name in arrayFilters");
        }

        if (!IsValidIdentifier(identifier))
        {
            throw new MongoErrorException(ErrorCodes.BadValue,
                $"Error parsing array filter :: caused by :: The top-level field name must be an alphanumeric string beginning with a " +
                    $"lowercase letter, found '{identifier}'");
        }

        return identifier;
    }

    private static IEnumerable<string> TopLevelFieldNames(BsonDocument filter)
    {
        foreach (var element in filter)
        {
            if (element.Name is "$and" or "$or" or "$nor" && element.Value is BsonArray clauses)
            {
                foreach (var clause in clauses.OfType<BsonDocument>())
                {
                    foreach (var name in TopLevelFieldNames(clause))
                    {
                        yield return name;
                    }
                }
            }
            else if (!element.Name.StartsWith('$'))
            {
                yield return element.Name;
            }
        }
    }

    public static bool IsValidIdentifier(string identifier)
    {
        if (identifier.Length == 0 || identifier[0] is < 'a' or > 'z')
        {
            return false;
        }

        foreach (var c in identifier)
        {
            if (!char.IsAsciiLetterOrDigit(c))
            {
                return false;
            }
        }

        return true;
    }
}
