namespace Tabernacle.EfCore.Tests.Differential.Breadth;

/// <summary>The differential cases, one partial file per item of issue 5; names are prefixed by their area.</summary>
public static partial class BreadthCases
{
    public static IReadOnlyDictionary<string, BreadthCase> All { get; } = Build();

    private static Dictionary<string, BreadthCase> Build()
    {
        var cases = new Dictionary<string, BreadthCase>(StringComparer.Ordinal);
        AddOperators(cases);
        AddFunctions(cases);
        AddArrays(cases);
        AddConditionals(cases);
        AddNavigations(cases);
        AddInheritanceAndRaw(cases);
        AddCompositions(cases);
        AddComputedOrderings(cases);
        AddSelectMany(cases);
        AddWholeGroups(cases);
        AddArrayDistinctAndOrder(cases);
        AddStringFormatting(cases);
        AddSetOperations(cases);
        AddEqualitySemantics(cases);
        AddTakeZero(cases);
        return cases;
    }

    private static readonly DateTime Cut = new(2023, 3, 1, 0, 0, 0, DateTimeKind.Utc);
}
